import type { Batch, Pipeline, Schema, WorkerPipeline } from "@stepwise/data";
import type { BenchInput, Contender } from "./contenders.ts";

// Each contender runs in its own process, so module state holds what its setup prepared.
let schema: Schema | null = null;
let pipeline: Pipeline | WorkerPipeline | null = null;

async function fitSchema(input: BenchInput): Promise<Schema> {
  const { inferSchema } = await import("@stepwise/data");
  return inferSchema({ paths: input.file, label: input.labelColumn });
}

const usableRows = (s: Schema): number => s.fit.rowsUsed;

/** One shuffled epoch (one pass) in this thread, with the schema's normalization applied. */
async function inlinePipeline(input: BenchInput): Promise<void> {
  const { createPipeline, csvSource } = await import("@stepwise/data");
  schema = await fitSchema(input);
  const source = csvSource({ paths: input.file, schema, numSamples: usableRows(schema) });
  pipeline = await createPipeline({ source, batchSize: input.batchSize, seed: 1, epochs: 1 });
}

/** The same epoch produced in a worker thread: reading, parsing, shuffling and batching off this thread. */
async function workerPipeline(input: BenchInput): Promise<void> {
  const { createWorkerPipeline } = await import("@stepwise/data");
  schema = await fitSchema(input);
  const args = [{ paths: input.file, schema, numSamples: usableRows(schema) }];
  pipeline = await createWorkerPipeline({
    source: { module: "@stepwise/data", export: "csvSource", args },
    options: { batchSize: input.batchSize, seed: 1, epochs: 1 },
  });
}

async function startBackend(input: BenchInput): Promise<void> {
  const { initBackend } = await import("@stepwise/data/tfjs");
  const { warning } = await initBackend(input.backend);
  if (warning !== null) throw new Error(warning);
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
  label: "stepwise: inferSchema (kinds + normalization stats)",
  async run(input) {
    return usableRows(await fitSchema(input));
  },
};

export const stepwiseBatches: Contender = {
  id: "stepwiseBatches",
  label: "stepwise: file → shuffled Float32Array batches",
  setup: inlinePipeline,
  run: () => countBatches(),
};

export const stepwiseWorkerBatches: Contender = {
  id: "stepwiseWorkerBatches",
  label: "stepwise (worker): file → shuffled Float32Array batches",
  setup: workerPipeline,
  run: () => countBatches(),
};

/** Tensors made on this thread with `batchToTensors`, each disposed after use. */
export const stepwiseTensors: Contender = {
  id: "stepwiseTensors",
  label: "stepwise: file → shuffled tensor batches",
  async setup(input) {
    await startBackend(input);
    await inlinePipeline(input);
  },
  run: countTensorBatches,
};

export const stepwiseWorkerTensors: Contender = {
  id: "stepwiseWorkerTensors",
  label: "stepwise (worker): file → shuffled tensor batches",
  async setup(input) {
    await startBackend(input);
    await workerPipeline(input);
  },
  run: countTensorBatches,
};
