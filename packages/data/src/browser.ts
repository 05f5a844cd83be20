/**
 * @stepwise/data for browsers (the package's entry under every condition but `node`): the
 * public entry's pipeline, schema, sources and errors, with the CSV sources reading Blobs,
 * Files and URLs (`data` instead of `paths`). No tfjs here: see `@stepwise/data/tfjs`. Node-only
 * parts (file paths and globs, sidecar indexes, rejects files, manifests, worker threads, the
 * other file formats) are not here.
 */

export type { CsvSource } from "./csv/source.ts";
// Errors: every failure the package throws is one of these.
export { DataError } from "./errors.ts";
// Pipeline: the planned epochs of batches, its resumable state (batches made on this thread).
export type { Loader, Pipeline, PipelineOptions } from "./pipeline/api.ts";
export { createPipeline } from "./pipeline/browser-pipeline.ts";
export { PipelineError } from "./pipeline/errors.ts";
export type { PipelineState } from "./pipeline/state.ts";
export type { IndexedCsvSource } from "./row-index/open.ts";
// A subset of a block source (a train/validation split of an indexed CSV), shuffled and resumed alike.
export { subsetBlocks } from "./row-index/subset.ts";
export { describeSchema } from "./schema/describe.ts";
export { parseSchema } from "./schema/json.ts";
export type { Schema } from "./schema/types.ts";
export { arraySource } from "./sources/array.ts";
export { SourceError } from "./sources/errors.ts";
export { generatorSource } from "./sources/generator.ts";
export type { Batch, Sample, SampleSource } from "./types.ts";
// Schema and CSV sources over Blobs, Files and URLs: streamed, or through an in-memory row index (full shuffle).
export {
  csvSource,
  inferSchema,
  openIndexedCsv,
  type WebCsvSourceOptions,
  type WebData,
  type WebDataList,
  type WebIndexedCsvSourceOptions,
  type WebInferSchemaOptions,
} from "./web/csv.ts";
