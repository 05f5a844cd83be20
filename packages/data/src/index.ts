/**
 * @stepwise/data — stream CSV files, arrays and generators into fixed-size typed-array batches
 * with exact, planned epoch boundaries. No tfjs here: see `@stepwise/data/tfjs`.
 *
 * The public entry: sources, schema, pipeline, row index, manifest and errors. The epoch
 * arithmetic (plans, positions) is in `@stepwise/core`.
 */

export { countRows } from "./csv/count.ts";
// Schema: inferred from the data, saved and read back as JSON.
export { type InferSchemaOptions, inferSchema } from "./csv/infer.ts";
// Sources: CSV streamed, CSV through its row index (random access, full shuffle), memory, generators.
export { type CsvSource, type CsvSourceOptions, csvSource } from "./csv/source.ts";
// Errors: every failure the package throws is one of these.
export { DataError } from "./errors.ts";
// Other formats: JSON Lines, Parquet, Arrow IPC (by extension or by name) and NumPy arrays.
export type { DataFormat } from "./formats/files.ts";
export { type InferDataSchemaOptions, inferDataSchema } from "./formats/infer.ts";
export { openDataSource } from "./formats/open.ts";
// Manifest: which rows every step read, and its verification.
export { type ManifestReport, verifyManifest } from "./manifest/verify.ts";
export { type ManifestWriter, openManifest } from "./manifest/writer.ts";
export { npySource } from "./npy/source.ts";
// Pipeline: the planned epochs of batches, its resumable state.
export type { Loader, Pipeline, PipelineOptions } from "./pipeline/api.ts";
export { PipelineError } from "./pipeline/errors.ts";
export { createPipeline } from "./pipeline/pipeline.ts";
export type { PipelineState } from "./pipeline/state.ts";
export { type IndexedCsvSource, type IndexedCsvSourceOptions, openIndexedCsv } from "./row-index/source.ts";
export { describeSchema } from "./schema/describe.ts";
export { parseSchema } from "./schema/json.ts";
export type { Schema } from "./schema/types.ts";
export { arraySource } from "./sources/array.ts";
export { SourceError } from "./sources/errors.ts";
export { generatorSource } from "./sources/generator.ts";
export type { Batch, Sample, SampleSource } from "./types.ts";
