// End to end: one training epoch of the trainer's default MLP on the numeric file, through the
// trainer's own pipeline and loop, against `model.fitDataset(tf.data.csv(...).batch(B))` with
// the same model (same builder, seed and optimizer), backend and batch size.

import type { StepStats, TrainConfig } from "@stepwise/trainer/internals";
import type { LayersModel } from "@tensorflow/tfjs";
import {
  type BenchInput,
  type Contender,
  type RunOutcome,
  startBackend,
  tfDataPipeline,
} from "./contenders.ts";

const MODEL = "mlp:64,32"; // the trainer's default --model
const SEED = 1;
const silent = { write: () => true };

let run: (() => Promise<RunOutcome>) | null = null;

/** The schema the trainer would fit, from the cache the stepwise contenders keep (fitting is not part of an epoch). */
async function cachedSchema(input: BenchInput): Promise<unknown> {
  const { readFileSync, existsSync } = await import("node:fs");
  const cache = `${input.data.file}.schema.json`;
  return existsSync(cache) ? (JSON.parse(readFileSync(cache, "utf8")) as { schema: unknown }).schema : null;
}

type TrainStepMode = NonNullable<TrainConfig["trainStep"]>;

function trainConfig(
  input: BenchInput,
  loader: "main" | "worker",
  shuffle: "buffer" | "full",
  trainStep: TrainStepMode,
): TrainConfig {
  return {
    shuffle,
    data: input.data.file,
    label: input.data.labelColumn,
    header: true,
    task: "auto",
    model: MODEL,
    batchSize: input.batchSize,
    epochs: 1,
    initialEpoch: 0,
    dropRemainder: false,
    onExhausted: "repeat",
    splitMode: "random",
    seed: SEED,
    optimizer: "adam",
    numShards: 1,
    shardIndex: 0,
    shardPolicy: "pad",
    onBadRecord: "error",
    backend: input.backend,
    loader,
    trainStep,
  };
}

/** The trainer's run preparation (schema, feed, plan, backend, model), then its loop for one epoch. */
async function trainerSetup(
  input: BenchInput,
  loader: "main" | "worker",
  shuffle: "buffer" | "full",
  trainStep: TrainStepMode = "auto",
): Promise<void> {
  const { prepareRun, trainLoop } = await import("@stepwise/trainer/internals");
  const { batchToTensors } = await import("@stepwise/data/tfjs");
  const config = trainConfig(input, loader, shuffle, trainStep);
  const prepared = await prepareRun(config, { stdout: silent, stderr: silent }, await cachedSchema(input));
  const { feed, model, metricNames, data, step } = prepared;
  run = async () => {
    let last: StepStats | null = null;
    try {
      await trainLoop({
        model,
        metricNames,
        newMetrics: prepared.newMetrics,
        plan: feed.plan,
        data: { epoch: (e) => feed.epoch(e), validation: (e) => feed.validation(e) },
        toTensors: (batch) => batchToTensors(batch, { task: data.task }),
        train: (xs, ys) => step.train(xs, ys),
        startEpoch: 0,
        history: [],
        progress: { epochStart() {}, step() {}, epochEnd: (_record, stats) => (last = stats) },
        onEpochEnd: async () => {},
      });
    } finally {
      await feed.close();
    }
    const stats = last as StepStats | null;
    if (stats === null) throw new Error("the epoch did not end");
    return {
      numRows: stats.samplesDone,
      seconds: stats.seconds,
      extra: {
        inputWaitShare: stats.waitSeconds / stats.seconds,
        steps: stats.stepsDone,
        denseStep: step.kind === "dense" ? 1 : 0,
      },
    };
  };
}

export const trainerWorker: Contender = {
  id: "trainerWorker",
  label: "trainer epoch, --loader worker --shuffle buffer (streamed)",
  setup: (input) => trainerSetup(input, "worker", "buffer"),
  run: () => (run as () => Promise<RunOutcome>)(),
};

/** The trainer's default shuffle on plain CSV: a full shuffle through the row index (built in setup, untimed). */
export const trainerWorkerFull: Contender = {
  id: "trainerWorkerFull",
  label: "trainer epoch, --loader worker --shuffle full (row index)",
  setup: (input) => trainerSetup(input, "worker", "full"),
  run: () => (run as () => Promise<RunOutcome>)(),
};

/** The same loop with tfjs's own step (`--train-step tfjs`): what the input side alone gains. */
export const trainerWorkerTfjsStep: Contender = {
  id: "trainerWorkerTfjsStep",
  secondary: true,
  label: "trainer epoch, --loader worker --shuffle buffer --train-step tfjs (trainOnBatch)",
  setup: (input) => trainerSetup(input, "worker", "buffer", "tfjs"),
  run: () => (run as () => Promise<RunOutcome>)(),
};

export const trainerMain: Contender = {
  id: "trainerMain",
  secondary: true,
  label: "trainer epoch, --loader main --shuffle buffer (pipeline on the training thread)",
  setup: (input) => trainerSetup(input, "main", "buffer"),
  run: () => (run as () => Promise<RunOutcome>)(),
};

let model: LayersModel | null = null;

export const fitDatasetTfDataCsv: Contender = {
  id: "fitDatasetTfDataCsv",
  label: "model.fitDataset(tf.data.csv(...).batch(B)), 1 epoch",
  async setup(input) {
    await startBackend(input);
    const tf = await import("@tensorflow/tfjs");
    tf.env().set("PROD", true);
    const { buildMlp, compileModel, headFor, makeOptimizer, parseModelSpec } = await import(
      "@stepwise/trainer/internals"
    );
    const numClasses = 10; // the numeric file's labels are 0..9, as the trainer infers them
    const head = headFor("classification", numClasses);
    model = buildMlp({
      numFeatures: input.data.numFeatures,
      hidden: parseModelSpec(MODEL),
      head,
      seed: SEED,
    });
    compileModel(model, head, makeOptimizer("adam", undefined));
  },
  async run(input) {
    const ds = await tfDataPipeline(input);
    let numRows = 0;
    const start = performance.now();
    await (model as LayersModel).fitDataset(ds, {
      epochs: 1,
      verbose: 0,
      callbacks: {
        onBatchEnd: async (_batch, logs) => {
          numRows += (logs?.size as number | undefined) ?? 0;
        },
      },
    });
    const seconds = (performance.now() - start) / 1000;
    return { numRows, seconds };
  },
};
