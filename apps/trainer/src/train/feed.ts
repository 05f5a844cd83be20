import {
  type Batch,
  createPipeline,
  createWorkerPipeline,
  type Pipeline,
  PipelineError,
  type PipelineState,
} from "@stepwise/data";
import type { TrainConfig } from "./config.ts";
import type { OpenedData } from "./data.ts";

/** Where training batches come from; both loaders give the same batches and resume states. */
export interface TrainFeed {
  /** The pipeline on this thread: the plan, validation runs, and (loader `main`) the batches. */
  pipeline: Pipeline;
  /** Where the training batches are prepared. */
  loader: "main" | "worker";
  epoch(epoch: number): AsyncIterable<Batch>;
  getState(): Promise<PipelineState>;
  setState(state: PipelineState): Promise<void>;
  close(): Promise<void>;
}

/** The worker's source module beside this one: compiled `.js` when the trainer runs built. */
const WORKER_SOURCE = new URL(
  import.meta.url.endsWith(".js") ? "./worker-source.js" : "./worker-source.ts",
  import.meta.url,
).href;

/**
 * Samples per pass from which `--loader auto` reads on a worker thread. Starting the worker
 * (a second module graph and a second open of the data) costs ~0.5 s; below this the whole
 * pass prepares in less time than that on the training thread.
 */
export const AUTO_WORKER_MIN_SAMPLES = 50_000;

/** The loader a run uses: `auto` picks the worker for passes of {@link AUTO_WORKER_MIN_SAMPLES} samples or more. */
export function resolveLoader(loader: TrainConfig["loader"], numSamples: number): "main" | "worker" {
  if (loader !== "auto") return loader;
  return numSamples >= AUTO_WORKER_MIN_SAMPLES ? "worker" : "main";
}

/** Pipeline options shared by both loaders (everything but the sources). */
export function pipelineOptions(config: TrainConfig) {
  return {
    batchSize: config.batchSize,
    seed: config.seed,
    // Configs saved before `shuffle` existed streamed with a buffer (see TrainConfig.shuffle).
    shuffle: config.shuffle ?? ("buffer" as const),
    ...(config.shuffleBuffer !== undefined ? { shuffleBuffer: config.shuffleBuffer } : {}),
    stepsPerEpoch: config.stepsPerEpoch ?? null,
    epochs: config.epochs,
    initialEpoch: config.initialEpoch,
    dropRemainder: config.dropRemainder,
    onExhausted: config.onExhausted,
    numShards: config.numShards,
    shardIndex: config.shardIndex,
    shardPolicy: config.shardPolicy,
    // The plan is printed before training, so the row count is needed up front.
    count: "always" as const,
  };
}

/**
 * Builds the run's pipeline (its plan is what gets printed and saved) and, with loader
 * `worker`, a second copy of it on a worker thread, so that CSV parsing, shuffling and batching
 * overlap with the training steps instead of stalling them.
 */
export async function createFeed(config: TrainConfig, data: OpenedData): Promise<TrainFeed> {
  const pipeline = await createPipeline({
    ...pipelineOptions(config),
    source: data.train,
    ...(data.validation
      ? {
          validation: {
            source: data.validation,
            steps: config.validationSteps ?? null,
            ...(config.validationFreq !== undefined ? { freq: config.validationFreq } : {}),
          },
        }
      : {}),
  });
  const loader = resolveLoader(config.loader, pipeline.plan.numSamples ?? 0);
  if (loader === "main") {
    return {
      pipeline,
      loader,
      epoch: (epoch) => pipeline.epoch(epoch),
      getState: async () => pipeline.getState(),
      setState: (state) => pipeline.setState(state),
      close: () => pipeline.close(),
    };
  }
  const worker = await createWorkerPipeline({
    source: { module: WORKER_SOURCE, export: "workerTrainingSource", args: [config, data.schemaJson] },
    options: pipelineOptions(config),
  });
  // Validation stays on this thread, so only the training side of the plans must agree.
  const steps = (plan: Pipeline["plan"]) =>
    JSON.stringify([plan.numSamples, plan.stepsPerPass, plan.epochs.map((e) => e.passes)]);
  if (steps(worker.plan) !== steps(pipeline.plan)) {
    await worker.close();
    throw new PipelineError("the worker's plan differs from this thread's; run with --loader main");
  }
  return {
    pipeline,
    loader,
    epoch: (epoch) => worker.epoch(epoch),
    getState: () => worker.getState(),
    setState: (state) => worker.setState(state),
    async close() {
      await worker.close();
      await pipeline.close();
    },
  };
}
