import { createReadStream } from "node:fs";
import { pathToFileURL } from "node:url";
import type { MixedInput, NumericInput } from "./generate.ts";

/** The inputs: (a) numeric, (b) mixed, (c) large (numeric, ≥ 1 GB, `--large` only). */
export type DatasetId = "numeric" | "mixed" | "large";

/** What every contender is given: the input file and the batch size to produce. */
export interface BenchInput {
  dataset: DatasetId;
  data: NumericInput | MixedInput;
  batchSize: number;
  /** tfjs backend for contenders that make tensors or train (the same for all of them). */
  backend: "wasm" | "cpu";
  /** Shuffle buffer K of the stepwise pipelines; null = the pipeline's default. */
  shuffleBuffer: number | null;
}

/** What a timed run reports when the runner's own clock and RSS are not the figures (Python, training). */
export interface RunOutcome {
  numRows: number;
  /** The contender's own timing of its work, instead of the runner's clock. */
  seconds?: number;
  /** The contender's own peak RSS (a Python process), instead of this process's. */
  peakRssMB?: number;
  /** Further figures, e.g. `inputWaitShare`. */
  extra?: Record<string, number>;
}

/** One timed read of the whole file; returns the data rows it delivered (checked by the runner). */
export type RunOnce = (input: BenchInput) => Promise<number | RunOutcome>;

export interface Contender {
  /** Key in results JSON (unique within its suite). */
  id: string;
  /** Row label in the printed table. */
  label: string;
  /** Work done once per process before timing (imports, backend start, schema); not timed. */
  setup?: (input: BenchInput) => Promise<void>;
  /** `null` while the contender cannot run yet; the table marks it pending with `pendingReason`. */
  run: RunOnce | null;
  pendingReason?: string;
  /** Why it cannot run on this machine (checked once, before any run), or null. */
  unavailable?: () => Promise<string | null>;
  /** Left out of `--quick` runs (a variant of another contender). */
  secondary?: boolean;
}

const MiB = 1024 * 1024;

export const isMixed = (data: NumericInput | MixedInput): data is MixedInput => "categoricalColumn" in data;

/** The ceiling: bytes from disk with large chunks, no parsing at all. */
export const rawRead: Contender = {
  id: "rawRead",
  label: "raw read (fs.createReadStream, 4 MiB chunks)",
  async run({ data }) {
    let numBytes = 0;
    for await (const chunk of createReadStream(data.file, { highWaterMark: 4 * MiB })) {
      numBytes += (chunk as Buffer).length;
    }
    if (numBytes !== data.numBytes) throw new Error(`read ${numBytes} bytes, expected ${data.numBytes}`);
    return data.numRows;
  },
};

let parse: typeof import("csv-parse").parse | null = null;

/** The reference parser alone: records as arrays of strings, no casting. */
export const csvParseAlone: Contender = {
  id: "csvParse",
  label: "csv-parse alone (arrays of strings)",
  async setup() {
    ({ parse } = await import("csv-parse"));
  },
  async run({ data }) {
    if (parse === null) throw new Error("setup did not run");
    const parser = createReadStream(data.file, { highWaterMark: MiB }).pipe(parse());
    let numRecords = 0;
    for await (const _record of parser) numRecords++;
    return numRecords - 1; // header
  },
};

/** Starts the tfjs backend and loads tfjs-data, so that neither is timed. */
export async function startBackend(input: BenchInput): Promise<void> {
  const { initBackend } = await import("@stepwise/data/tfjs");
  const { warning } = await initBackend(input.backend);
  if (warning !== null) throw new Error(warning);
  await import("@tensorflow/tfjs-data");
}

type TfDataset = import("@tensorflow/tfjs-data").Dataset<import("@tensorflow/tfjs").TensorContainer>;

/**
 * The incumbent's input pipeline as the tfjs docs show it: `tf.data.csv` with the label column
 * marked, each row's values gathered into arrays, batched into `xs [B, F]` and `ys` tensors.
 * Mixed: the numeric columns (a missing value reads as 0), the city one-hot, the label's class
 * index; the id, date and comment columns are not parsed (`configuredColumnsOnly`).
 */
export async function tfDataPipeline(input: BenchInput): Promise<TfDataset> {
  const tfd = await import("@tensorflow/tfjs-data");
  const { data } = input;
  const url = pathToFileURL(data.file).href;
  if (!isMixed(data)) {
    return tfd
      .csv(url, { columnConfigs: { [data.labelColumn]: { isLabel: true } } })
      .map((row) => {
        const { xs, ys } = row as unknown as { xs: Record<string, number>; ys: Record<string, number> };
        return { xs: Object.values(xs), ys: Object.values(ys)[0] as number };
      })
      .batch(input.batchSize) as TfDataset;
  }
  const columnConfigs: Record<string, { isLabel?: boolean; default?: number; dtype?: "string" }> = {
    [data.labelColumn]: { isLabel: true, dtype: "string" },
    [data.categoricalColumn]: { dtype: "string" },
  };
  for (const column of data.numericColumns) columnConfigs[column] = { default: 0 };
  const city = new Map(data.categories.map((c, i) => [c, i]));
  const classes = new Map(data.classes.map((c, i) => [c, i]));
  return tfd
    .csv(url, { columnConfigs, configuredColumnsOnly: true })
    .map((row) => {
      const { xs, ys } = row as unknown as {
        xs: Record<string, number | string>;
        ys: Record<string, string>;
      };
      const features = data.numericColumns.map((c) => xs[c] as number);
      const oneHot = new Array<number>(data.categories.length).fill(0);
      oneHot[city.get(xs[data.categoricalColumn] as string) ?? 0] = 1;
      return { xs: [...features, ...oneHot], ys: classes.get(ys[data.labelColumn] as string) ?? 0 };
    })
    .batch(input.batchSize) as TfDataset;
}

/** The incumbent: `tf.data.csv(...).batch(B)` to tensors, every batch disposed. (It reads the whole file into memory first, see its peak RSS.) */
export const tfDataCsv: Contender = {
  id: "tfDataCsv",
  label: "tf.data.csv(...).batch(B) → tensors",
  setup: startBackend,
  async run(input) {
    const tf = await import("@tensorflow/tfjs");
    const ds = await tfDataPipeline(input);
    let numRows = 0;
    const before = tf.memory().numTensors;
    await ds.forEachAsync((batch) => {
      const { xs } = batch as { xs: import("@tensorflow/tfjs").Tensor };
      numRows += xs.shape[0] as number;
      tf.dispose(batch);
    });
    if (tf.memory().numTensors !== before) throw new Error("tf.data.csv run leaked tensors");
    return numRows;
  },
};
