import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import type { Batch, Pipeline, Schema, SchemaOptions, WorkerSource } from "@stepwise/data/internals";
import { type BenchInput, type Contender, isMixed, startBackend } from "./contenders.ts";

// Each contender runs in its own process, so module state holds what its setup prepared.
let schema: Schema | null = null;
let pipeline: Pipeline | null = null;
let workerSource: WorkerSource | null = null;

/** Schema options of a dataset: the mixed file's numeric columns have missing values, filled with the mean. */
function schemaOptions({ data }: BenchInput): SchemaOptions & { paths: string } {
  const defaults = isMixed(data)
    ? Object.fromEntries(data.numericColumns.map((c) => [c, "mean"]))
    : undefined;
  return { paths: data.file, label: data.labelColumn, ...(defaults ? { defaults } : {}) };
}

async function inferFresh(input: BenchInput): Promise<Schema> {
  const { inferSchema } = await import("@stepwise/data");
  return inferSchema(schemaOptions(input));
}

/** The training run's first pass (kinds and statistics), cached beside the generated file: it is setup, not timed. */
export async function fitSchema(input: BenchInput): Promise<Schema> {
  const { parseSchema } = await import("@stepwise/data");
  const { file } = input.data;
  const cache = `${file}.schema.json`;
  const { size, mtimeMs } = statSync(file);
  if (existsSync(cache)) {
    const saved = JSON.parse(readFileSync(cache, "utf8")) as {
      size: number;
      mtimeMs: number;
      schema: unknown;
    };
    if (saved.size === size && saved.mtimeMs === mtimeMs) return parseSchema(saved.schema);
  }
  const fitted = await inferFresh(input);
  writeFileSync(cache, JSON.stringify({ size, mtimeMs, schema: fitted }));
  return fitted;
}

const usableRows = (s: Schema): number => s.fit.rowsUsed;

function sourceArgs(input: BenchInput, s: Schema) {
  return { paths: input.data.file, schema: s, numSamples: usableRows(s) };
}

function pipelineOptions(input: BenchInput) {
  return {
    batchSize: input.batchSize,
    seed: 1,
    epochs: 1,
    ...(input.shuffleBuffer !== null ? { shuffleBuffer: input.shuffleBuffer } : {}),
  };
}

/** One shuffled epoch (one pass) on this thread, with the schema's normalization applied. */
async function inlinePipeline(input: BenchInput): Promise<void> {
  const { createPipeline, csvSource } = await import("@stepwise/data");
  schema = await fitSchema(input);
  pipeline = await createPipeline({
    source: csvSource(sourceArgs(input, schema)),
    ...pipelineOptions(input),
    loader: "main",
  });
}

/** Reading and parsing in a worker thread (`createWorkerSource`), shuffling and batching on this one. */
async function parallelPipeline(input: BenchInput): Promise<void> {
  const { createPipeline, createWorkerSource } = await import("@stepwise/data/internals");
  schema = await fitSchema(input);
  workerSource = await createWorkerSource({
    module: "@stepwise/data",
    export: "csvSource",
    args: [sourceArgs(input, schema)],
  });
  pipeline = await createPipeline({ source: workerSource, ...pipelineOptions(input), loader: "main" });
}

/** The whole pipeline in a worker thread (`loader: "worker"`): batches arrive ready. */
async function workerPipeline(input: BenchInput): Promise<void> {
  const { createPipeline, csvSource } = await import("@stepwise/data");
  schema = await fitSchema(input);
  const source = csvSource(sourceArgs(input, schema));
  pipeline = await createPipeline({ source, ...pipelineOptions(input), loader: "worker" });
}

async function countBatches(onBatch?: (batch: Batch) => void): Promise<number> {
  if (pipeline === null) throw new Error("setup did not run");
  let numRows = 0;
  try {
    for await (const batch of pipeline.batches()) {
      numRows += batch.batchSize;
      onBatch?.(batch);
    }
  } finally {
    await pipeline.close();
    await workerSource?.close();
  }
  return numRows;
}

async function countTensorBatches(): Promise<number> {
  const tf = await import("@tensorflow/tfjs");
  const { batchToTensors } = await import("@stepwise/data/tfjs");
  const task = schema?.label?.kind === "regression" ? "regression" : "classification";
  const before = tf.memory().numTensors;
  const numRows = await countBatches((batch) => tf.dispose(batchToTensors(batch, { task })));
  if (tf.memory().numTensors !== before) throw new Error("stepwise tensor run leaked tensors");
  return numRows;
}

/** The schema pass a training run makes first: column kinds, normalization statistics, classes. */
export const stepwiseSchema: Contender = {
  id: "stepwiseSchema",
  secondary: true,
  label: "stepwise: inferSchema (kinds + normalization stats)",
  async setup() {
    await import("@stepwise/data");
  },
  async run(input) {
    return usableRows(await inferFresh(input));
  },
};

export const stepwiseBatches: Contender = {
  id: "stepwiseBatches",
  label: "stepwise: file → shuffled Float32Array batches",
  setup: inlinePipeline,
  run: () => countBatches(),
};

export const stepwiseParallelBatches: Contender = {
  id: "stepwiseParallelBatches",
  label: "stepwise (parse worker): file → shuffled Float32Array batches",
  setup: parallelPipeline,
  run: () => countBatches(),
};

export const stepwiseWorkerBatches: Contender = {
  id: "stepwiseWorkerBatches",
  secondary: true,
  label: "stepwise (pipeline worker): file → shuffled Float32Array batches",
  setup: workerPipeline,
  run: () => countBatches(),
};

/** Tensors made on this thread with `batchToTensors`, each disposed after use. */
export const stepwiseTensors: Contender = {
  id: "stepwiseTensors",
  secondary: true,
  label: "stepwise: file → shuffled tensor batches",
  async setup(input) {
    await startBackend(input);
    await inlinePipeline(input);
  },
  run: countTensorBatches,
};

export const stepwiseParallelTensors: Contender = {
  id: "stepwiseParallelTensors",
  secondary: true,
  label: "stepwise (parse worker): file → shuffled tensor batches",
  async setup(input) {
    await startBackend(input);
    await parallelPipeline(input);
  },
  run: countTensorBatches,
};

/** Counting rows for the plan (`trainer plan --data`): one quote-aware pass over the bytes. */
export const rowCount: Contender = {
  id: "rowCount",
  label: "stepwise: countRows (quote-aware record count)",
  async setup() {
    await import("@stepwise/data");
  },
  async run({ data }) {
    const { countRows } = await import("@stepwise/data");
    return countRows(data.file);
  },
};
