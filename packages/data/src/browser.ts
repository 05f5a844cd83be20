/**
 * @stepwise/data for browsers (the package's entry under every condition but `node`): the same
 * pipeline, schema, sources and batch stages as on Node, with the CSV sources reading Blobs,
 * Files and URLs (`data` instead of `paths`). Node-only parts (file paths and globs, sidecar
 * indexes, rejects files, manifests, worker threads, csv-parse) are not here.
 */

export type { ByteInput, RangeReader } from "./bytes/input.ts";
export { blobInput, urlInput } from "./bytes/web-input.ts";
export { type BadRowBudget, type MaxBadRows, parseMaxBadRows } from "./csv/budget.ts";
export type { CsvFormat } from "./csv/format.ts";
export {
  BAD_RECORD_POLICIES,
  type BadRecordPolicy,
  type PassCounts,
  type ReadSummary,
  type RejectedRow,
  type RowCounts,
} from "./csv/policy.ts";
export type { CsvFileInfo, CsvRow } from "./csv/rows.ts";
export type { CsvSource } from "./csv/source.ts";
export { DataError, type DataErrorCode, type RowProblem } from "./errors.ts";
export {
  DEFAULT_SHUFFLE_BUFFER,
  type Pipeline,
  type PipelineOptions,
  type PipelinePosition,
} from "./pipeline/api.ts";
export { type BatchData, type BatchSamplesOptions, batchSamples } from "./pipeline/batch.ts";
export {
  type BlockSource,
  isBlockSource,
  isPadding,
  type PaddedRowRef,
  type SampleBlock,
  sampleOf,
} from "./pipeline/block.ts";
export { type ChunkedSource, isChunkedSource, type SampleChunk } from "./pipeline/chunk.ts";
export { countSamples } from "./pipeline/count.ts";
export { type DealLayout, dealLayout, dealPosition } from "./pipeline/deal.ts";
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
export {
  INDEXED_STATE_VERSION,
  type IndexedPipelineState,
  PIPELINE_STATE_VERSION,
  type PipelineConfig,
  type PipelineState,
  type PipelineStateV1,
  type PlanIdentity,
  planHash,
} from "./pipeline/state.ts";
export { type ValidationOptions, validationBatches } from "./pipeline/validation.ts";
export {
  type BlockPlan,
  type ByteSize,
  DEFAULT_MEMORY_BUDGET,
  parseByteSize,
  planBlocks,
} from "./row-index/memory.ts";
export type { IndexedCsvSource } from "./row-index/open.ts";
export { type IndexOrigin, RowIndex, type RowLocation } from "./row-index/rows.ts";
export { subsetBlocks } from "./row-index/subset.ts";
export { describeSchema } from "./schema/describe.ts";
export { type EncoderOptions, SchemaEncoder } from "./schema/encode.ts";
/** Which usable samples (by 0-based position in a pass) feed a schema's statistics; see `inferSchema`. */
export type { IncludeSample } from "./schema/fit.ts";
export { parseSchema } from "./schema/json.ts";
export type {
  CategoricalFeature,
  Feature,
  IgnoredColumn,
  Label,
  LabelKind,
  Normalization,
  NumericFeature,
  NumericStats,
  Schema,
  SchemaOptions,
} from "./schema/types.ts";
export { type ArraySourceOptions, arraySource, type RandomAccessSource } from "./sources/array.ts";
export { SourceError } from "./sources/errors.ts";
export {
  type GeneratedSample,
  type GeneratorSourceOptions,
  generatorSource,
} from "./sources/generator.ts";
export type { Batch, RowRef, Sample, SampleSource } from "./types.ts";
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
