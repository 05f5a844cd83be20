/**
 * @stepwise/data — stream CSV files, arrays and generators into fixed-size typed-array
 * batches with exact, planned epoch boundaries. No tfjs here: see `@stepwise/data/tfjs`.
 */

export {
  DEFAULT_SHUFFLE_BUFFER,
  type Pipeline,
  type PipelineOptions,
  type PipelinePosition,
} from "./pipeline/api.ts";
export { type BatchData, type BatchSamplesOptions, batchSamples } from "./pipeline/batch.ts";
export { countSamples } from "./pipeline/count.ts";
export { PipelineError } from "./pipeline/errors.ts";
export {
  defaultShuffle,
  type PassSamplesOptions,
  type PassStats,
  passSamples,
  type ShuffleMode,
} from "./pipeline/pass.ts";
export { createPipeline } from "./pipeline/pipeline.ts";
export { type PrefetchOptions, prefetch } from "./pipeline/prefetch.ts";
export { shardSamples } from "./pipeline/shard.ts";
export { type BufferShuffleOptions, bufferShuffle } from "./pipeline/shuffle.ts";
export { PIPELINE_STATE_VERSION, type PipelineConfig, type PipelineState } from "./pipeline/state.ts";
export { type ValidationOptions, validationBatches } from "./pipeline/validation.ts";
export {
  createWorkerPipeline,
  type WorkerPipeline,
  type WorkerPipelineOptions,
} from "./pipeline/worker.ts";
export type { PipelineInfo, WorkerPipelineSpec, WorkerSourceSpec } from "./pipeline/worker-protocol.ts";
export { type ArraySourceOptions, arraySource, type RandomAccessSource } from "./sources/array.ts";
export { SourceError } from "./sources/errors.ts";
export {
  type GeneratedSample,
  type GeneratorSourceOptions,
  generatorSource,
} from "./sources/generator.ts";
export type { Batch, RowRef, Sample, SampleSource } from "./types.ts";
