import { createPipeline, type Pipeline } from "@stepwise/data";
import type { TrainConfig } from "./config.ts";
import type { OpenedData } from "./data.ts";

/** The worker's source module beside this one: compiled `.js` when the trainer runs built. */
const WORKER_SOURCE = new URL(
  import.meta.url.endsWith(".js") ? "./worker-source.js" : "./worker-source.ts",
  import.meta.url,
).href;

/** The run's pipeline options (everything but the sources and the loader), shared by train and inspect. */
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
 * Builds the run's one pipeline: its plan is what gets printed and saved, and `--loader` picks
 * where its batches are made (the data package's rule for `auto`: a worker thread from 50,000
 * samples per pass), so that CSV parsing, shuffling and batching overlap with the training steps
 * instead of stalling them. The worker rebuilds the training source from the config and schema.
 */
export async function createFeed(config: TrainConfig, data: OpenedData): Promise<Pipeline> {
  return createPipeline({
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
    loader: config.loader,
    worker: {
      source: { module: WORKER_SOURCE, export: "workerTrainingSource", args: [config, data.schemaJson] },
    },
  });
}
