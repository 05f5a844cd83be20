import { type Contender, csvParseAlone, type DatasetId, rawRead, tfDataCsv } from "./contenders.ts";
import { formatArrow, formatCsv, formatJsonl, formatParquet, formatParquetPlain } from "./formats.ts";
import { pandasReadCsv, pandasReadCsvChunks } from "./pandas.ts";
import {
  rowCount,
  stepwiseBatches,
  stepwiseParallelBatches,
  stepwiseParallelTensors,
  stepwiseSchema,
  stepwiseTensors,
  stepwiseWorkerBatches,
} from "./stepwise.ts";
import {
  fitDatasetTfDataCsv,
  trainerMain,
  trainerWorker,
  trainerWorkerFull,
  trainerWorkerTfjsStep,
} from "./train.ts";

export type SuiteId = "numeric" | "mixed" | "train" | "large" | "formats";

export interface Suite {
  id: SuiteId;
  title: string;
  dataset: DatasetId;
  contenders: readonly Contender[];
}

/** Every suite, in run order; contenders in table order. */
export const SUITES: readonly Suite[] = [
  {
    id: "numeric",
    title: "(a) numeric CSV → batches",
    dataset: "numeric",
    contenders: [
      rawRead,
      rowCount,
      csvParseAlone,
      tfDataCsv,
      pandasReadCsv,
      pandasReadCsvChunks,
      stepwiseSchema,
      stepwiseBatches,
      stepwiseParallelBatches,
      stepwiseWorkerBatches,
      stepwiseTensors,
      stepwiseParallelTensors,
    ],
  },
  {
    id: "mixed",
    title: "(b) mixed CSV (quoted text, categorical, date, empty fields) → batches",
    dataset: "mixed",
    contenders: [
      rawRead,
      csvParseAlone,
      tfDataCsv,
      pandasReadCsv,
      pandasReadCsvChunks,
      stepwiseBatches,
      stepwiseParallelBatches,
    ],
  },
  {
    id: "train",
    title: "end to end: one training epoch on (a), same MLP, backend and batch size",
    dataset: "numeric",
    contenders: [fitDatasetTfDataCsv, trainerWorker, trainerWorkerFull, trainerMain, trainerWorkerTfjsStep],
  },
  {
    id: "large",
    title: "(c) large numeric CSV, streamed with a 10,000-row shuffle buffer",
    dataset: "large",
    contenders: [rawRead, rowCount, stepwiseBatches, stepwiseParallelBatches],
  },
  {
    id: "formats",
    title: "(d) the numeric data (a) as CSV, JSON Lines, Parquet and Arrow IPC, full shuffle → batches",
    dataset: "numeric",
    contenders: [formatCsv, formatJsonl, formatParquet, formatParquetPlain, formatArrow],
  },
];

export function findContender(suite: SuiteId, id: string): Contender | undefined {
  return SUITES.find((s) => s.id === suite)?.contenders.find((c) => c.id === id);
}
