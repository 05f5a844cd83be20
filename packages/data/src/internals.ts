/**
 * @stepwise/data/internals — the building blocks behind the public entry (pipeline stages,
 * state formats, CSV readers, row-index and memory planning, worker sources), for the stepwise
 * trainer and benchmarks. No stability promise: names here may change in any release. Everything
 * of the public entry is re-exported, so one import serves both.
 */

export { openArrowSource } from "./arrow/source.ts";
export { type BadRowBudget, type MaxBadRows, parseMaxBadRows } from "./csv/budget.ts";
export { type CountRowsOptions, countRows, countRowsPerFile, type RowCount } from "./csv/count.ts";
export { resolveCsvFiles } from "./csv/files.ts";
export type { CsvFormat } from "./csv/format.ts";
export { type InferSchemaOptions, inferSchema } from "./csv/infer.ts";
export {
  BAD_RECORD_POLICIES,
  type BadRecordPolicy,
  type PassCounts,
  type ReadSummary,
  type RejectedRow,
  type RowCounts,
} from "./csv/policy.ts";
export { type CsvFileInfo, type CsvReadOptions, type CsvRow, readCsvRows } from "./csv/read.ts";
export { CSV_PARSERS, type CsvParser } from "./csv/records.ts";
export { REJECTS_HEADER } from "./csv/rejects.ts";
export { type CsvSource, type CsvSourceOptions, csvSource } from "./csv/source.ts";
export { DataError, type DataErrorCode, type RowProblem } from "./errors.ts";
export {
  DATA_FORMATS,
  type DataFormat,
  detectFormat,
  formatOfName,
  resolveDataFiles,
} from "./formats/files.ts";
export { type InferDataSchemaOptions, inferDataSchema } from "./formats/infer.ts";
export { countDataRows, type DataSource, openDataSource, streamDataSource } from "./formats/open.ts";
export { readRows } from "./formats/rows.ts";
export * from "./index.ts";
export { jsonlSource, openIndexedJsonl } from "./jsonl/source.ts";
export type { ManifestEnd, ManifestEntry, ManifestHeader } from "./manifest/format.ts";
export {
  describeManifestReport,
  type ManifestReport,
  type PassCoverage,
  type RankEnd,
  verifyManifest,
} from "./manifest/verify.ts";
export {
  type ManifestOptions,
  type ManifestWriter,
  manifestOptions,
  openManifest,
} from "./manifest/writer.ts";
export { type NpyArray, parseNpy } from "./npy/parse.ts";
export { npySource } from "./npy/source.ts";
export { openParquetSource } from "./parquet/source.ts";
export {
  AUTO_WORKER_MIN_SAMPLES,
  DEFAULT_SHUFFLE_BUFFER,
  type Loader,
  type Pipeline,
  type PipelineOptions,
  type PipelinePosition,
  type WorkerLoaderOptions,
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
export { isChunkedSource } from "./pipeline/chunk.ts";
export { countSamples } from "./pipeline/count.ts";
export { PipelineError } from "./pipeline/errors.ts";
export { defaultShuffle, passSamples } from "./pipeline/pass.ts";
export type { PassSamplesOptions, PassStats, ShuffleMode } from "./pipeline/pass-options.ts";
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
  createWorkerPipeline,
  type WorkerPipeline,
  type WorkerPipelineOptions,
} from "./pipeline/worker.ts";
export type { PipelineInfo, WorkerPipelineSpec } from "./pipeline/worker-protocol.ts";
export {
  createWorkerSource,
  type WorkerSource,
  type WorkerSourceOptions,
} from "./pipeline/worker-source.ts";
export {
  type BlockPlan,
  type ByteSize,
  DEFAULT_MEMORY_BUDGET,
  formatBytes,
  parseByteSize,
  planBlocks,
} from "./row-index/memory.ts";
export {
  buildRowIndex,
  type IndexOrigin,
  RowIndex,
  type RowIndexOptions,
  type RowLocation,
} from "./row-index/row-index.ts";
export { type IndexedCsvSource, type IndexedCsvSourceOptions, openIndexedCsv } from "./row-index/source.ts";
export { subsetBlocks } from "./row-index/subset.ts";
export { parseIsoDate } from "./schema/dates.ts";
export { describeSchema } from "./schema/describe.ts";
export { type EncoderOptions, SchemaEncoder } from "./schema/encode.ts";
/** Which usable samples (by 0-based position in a pass) feed a schema's statistics; see `inferSchema`. */
export type { IncludeSample } from "./schema/fit.ts";
export { hashBucket } from "./schema/hash.ts";
export { parseSchema } from "./schema/json.ts";
export { DISTINCT_LIMIT } from "./schema/kinds.ts";
export { type EmbeddingInput, type InputLayout, inputLayout } from "./schema/layout.ts";
export {
  type CategoricalEncoding,
  type CategoricalFeature,
  DATE_FEATURES,
  type DateFeature,
  type DateFeatures,
  type DatePart,
  type Feature,
  featureWidth,
  type IgnoredColumn,
  type Label,
  type LabelKind,
  type Normalization,
  type NumericFeature,
  type NumericStats,
  type Schema,
  type SchemaOptions,
} from "./schema/types.ts";
export { type ArraySourceOptions, arraySource, type RandomAccessSource } from "./sources/array.ts";
export { SourceError } from "./sources/errors.ts";
export {
  type GeneratedSample,
  type GeneratorSourceOptions,
  generatorSource,
} from "./sources/generator.ts";
export type { GroupedSource, GroupedSourceOptions } from "./table/source.ts";
export type {
  Batch,
  ChunkedSource,
  RowRef,
  Sample,
  SampleChunk,
  SampleSource,
  WorkerSourceSpec,
} from "./types.ts";
