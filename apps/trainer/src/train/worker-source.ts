import type { SampleSource, Schema } from "@stepwise/data";
import type { TrainConfig } from "./config.ts";
import { trainingSources } from "./sources.ts";

/**
 * Entry point for the pipeline worker: the run's training source, built from plain JSON on the
 * worker's thread (an indexed source loads the row index the main thread built from its sidecar).
 */
export async function workerTrainingSource(config: TrainConfig, schema: Schema): Promise<SampleSource> {
  return (await trainingSources(config, schema)).train;
}
