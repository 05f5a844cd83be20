import type { SampleSource, Schema } from "@stepwise/data";
import type { TrainConfig } from "./config.ts";
import { trainingSources } from "./data.ts";

/** Entry point for the pipeline worker: the run's training source, built from plain JSON on the worker's thread. */
export function workerTrainingSource(config: TrainConfig, schema: Schema): SampleSource {
  return trainingSources(config, schema).train;
}
