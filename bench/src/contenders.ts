import { createReadStream } from "node:fs";
import { pathToFileURL } from "node:url";
import type { NumericInput } from "./generate.ts";

/** What every contender is given: the input file and the batch size to produce. */
export interface BenchInput extends NumericInput {
  batchSize: number;
  /** tfjs backend for contenders that make tensors (the same for all of them). */
  backend: "wasm" | "cpu";
}

/** One timed read of the whole file; returns the data rows it delivered (checked by the runner). */
export type RunOnce = (input: BenchInput) => Promise<number>;

export interface Contender {
  /** Key in results JSON. */
  id: string;
  /** Row label in the printed table. */
  label: string;
  /** Work done once per process before timing (imports, backend start); not timed. */
  setup?: (input: BenchInput) => Promise<void>;
  /** `null` while the contender cannot run yet; the table marks it pending with `pendingReason`. */
  run: RunOnce | null;
  pendingReason?: string;
}

const MiB = 1024 * 1024;

/** The ceiling: bytes from disk with large chunks, no parsing at all. */
export const rawRead: Contender = {
  id: "rawRead",
  label: "raw read (fs.createReadStream, 4 MiB chunks)",
  async run(input) {
    let numBytes = 0;
    for await (const chunk of createReadStream(input.file, { highWaterMark: 4 * MiB })) {
      numBytes += (chunk as Buffer).length;
    }
    if (numBytes !== input.numBytes) throw new Error(`read ${numBytes} bytes, expected ${input.numBytes}`);
    return input.numRows;
  },
};

/** The reference parser alone: records as arrays of strings, no casting. */
export const csvParseAlone: Contender = {
  id: "csvParse",
  label: "csv-parse alone (arrays of strings)",
  async run(input) {
    const { parse } = await import("csv-parse");
    const parser = createReadStream(input.file, { highWaterMark: MiB }).pipe(parse());
    let numRecords = 0;
    for await (const _record of parser) numRecords++;
    return numRecords - 1; // header
  },
};

async function startBackend(input: BenchInput): Promise<void> {
  const { initBackend } = await import("@stepwise/data/tfjs");
  const { warning } = await initBackend(input.backend);
  if (warning !== null) throw new Error(warning);
}

/**
 * The incumbent, as the tfjs docs show it: `tf.data.csv` with the label column marked, each
 * row's values gathered into arrays, batched into `xs [B, F]` and `ys [B, 1]` tensors, each
 * disposed after use. (It reads the whole file into memory first, see its peak RSS.)
 */
export const tfDataCsv: Contender = {
  id: "tfDataCsv",
  label: "tf.data.csv(...).batch(B) → tensors",
  setup: startBackend,
  async run(input) {
    const tf = await import("@tensorflow/tfjs");
    const tfd = await import("@tensorflow/tfjs-data");
    const ds = tfd
      .csv(pathToFileURL(input.file).href, { columnConfigs: { [input.labelColumn]: { isLabel: true } } })
      .map((row) => {
        const { xs, ys } = row as unknown as { xs: Record<string, number>; ys: Record<string, number> };
        return { xs: Object.values(xs), ys: Object.values(ys) };
      })
      .batch(input.batchSize);
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
