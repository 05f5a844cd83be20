import { budgetOf } from "../csv/budget.ts";
import { resolveFormat } from "../csv/format.ts";
import { checkPolicy, RowTally } from "../csv/policy.ts";
import type { CsvFileInfo, CsvRow } from "../csv/read.ts";
import { RejectsFile } from "../csv/rejects.ts";
import type { CsvSource, CsvSourceOptions } from "../csv/source.ts";
import { DataError } from "../errors.ts";
import { type BlockSource, readInBlocks, type SampleBlock } from "../pipeline/block.ts";
import { parseSchema } from "../schema/json.ts";
import type { SampleChunk } from "../types.ts";
import { workerSpecField } from "../worker-spec.ts";
import { type BlockPlan, type ByteSize, DEFAULT_MEMORY_BUDGET, parseByteSize, planBlocks } from "./memory.ts";
import { type RangeDecoder, RowReader } from "./reader.ts";
import { buildRowIndex, type RecordKind, type RowIndex } from "./row-index.ts";
import type { RowReaderSettings } from "./settings.ts";
import { scanBadRows, UsableRows } from "./usable.ts";

export interface IndexedCsvSourceOptions extends CsvSourceOptions {
  /**
   * Bytes the source may hold: the row index (4 bytes per row), the read buffers and two blocks of
   * decoded samples; the block size follows from it. Default 256 MiB. Accepts `"256MB"`, `"1GiB"`.
   */
  memoryBudget?: ByteSize;
  /** Folder for the index sidecars. Default: `.stepwise-index/` beside each data file. */
  indexDir?: string | null;
  /** `false`: build the index in memory, never reading or writing sidecars. Default true. */
  cache?: boolean;
  /** Longest record accepted, in bytes. Default 16 Mi. */
  maxRecordChars?: number;
}
// `parser` and `chunkBytes` apply to the bad-row scan and to indexing; block reads always use the
// record splitter (proven equal to csv-parse) on each row's exact byte range.

/** A CSV dataset read through its row index: random access in blocks, an exact numSamples, and the `CsvSource` extras. */
export interface IndexedCsvSource extends CsvSource, BlockSource {
  /** The samples of one pass in file order, in chunks (what a `buffer` shuffle reads). */
  chunks(): AsyncIterable<SampleChunk>;
  readonly numSamples: number;
  readonly index: RowIndex;
  /** How the memory budget is spent (index, read buffers, block size). */
  readonly blocks: BlockPlan;
  /** Data rows left out as bad under `skip`/`quarantine` (0 under `error`). */
  readonly badRows: number;
}

function checkIndices(indices: ArrayLike<number>, numSamples: number): void {
  for (let i = 0; i < indices.length; i++) {
    const index = indices[i] as number;
    if (!Number.isSafeInteger(index) || index < 0 || index >= numSamples) {
      throw new DataError({
        code: "options",
        reason: `sample index must be an integer in [0, ${numSamples}), got ${index}`,
      });
    }
  }
}

/**
 * Opens CSV files, directories or globs as a random-access source: builds or loads the row index
 * (see `buildRowIndex`), and under `skip`/`quarantine` reads the data once to find the bad rows,
 * so that `numSamples` is exact and sample u is always the u-th usable row (the same numbering as
 * `csvSource`'s stream). Under `error` every row counts and the first bad row read stops the run.
 * `readBlock` reads any samples with sorted, coalesced positioned reads; a pipeline shuffles it
 * with `shuffle: "full"` and resumes it from a position-only state. Throws `DataError` for bad
 * options, a budget too small for the index, gzip files (`not-indexable`), no usable rows, a
 * declared `numSamples` that differs, or more bad rows than `maxBadRows`.
 * @example const source = await openIndexedCsv({ paths: "data/*.csv", schema, memoryBudget: "256MB" })
 */
export async function openIndexedCsv(options: IndexedCsvSourceOptions): Promise<IndexedCsvSource> {
  return openIndexedRows(options);
}

/**
 * How an indexed source reads a format other than CSV (JSON Lines): what a record is, how the
 * bad-row scan reads the rows of a pass, and how a row's bytes become a sample.
 */
export interface IndexedReading {
  records: RecordKind;
  /** The dataset's files, already resolved. */
  files: readonly string[];
  /** Rows of one pass in file order (the bad-row scan); `onFile` binds each file's columns. */
  rows(onFile: (info: CsvFileInfo) => void): AsyncIterable<CsvRow>;
  decoder(settings: RowReaderSettings): RangeDecoder;
}

/** `openIndexedCsv`, or with `reading` the same random-access source over another line-delimited format. */
export async function openIndexedRows(
  options: IndexedCsvSourceOptions,
  reading: IndexedReading | null = null,
): Promise<IndexedCsvSource> {
  const format = reading === null ? resolveFormat(options) : resolveFormat({ header: false });
  const schema = parseSchema(options.schema);
  const rejectsPath = options.rejects ?? null;
  const policy = checkPolicy(options.onBadRecord ?? "error", rejectsPath);
  const memoryBudget = parseByteSize(options.memoryBudget ?? DEFAULT_MEMORY_BUDGET);
  budgetOf(options.maxBadRows, policy, null); // option mistakes fail before the files are indexed
  const index = await buildRowIndex(reading?.files ?? options.paths, {
    header: format.header,
    records: reading?.records ?? "csv",
    indexDir: options.indexDir ?? null,
    cache: options.cache ?? true,
    ...(options.chunkBytes !== undefined ? { chunkBytes: options.chunkBytes } : {}),
  });
  // A budget too small for the index fails now, not after a scan of the data.
  planBlocks({ memoryBudget, numFeatures: schema.numFeatures, indexBytes: index.indexBytes });
  const rejects = policy === "quarantine" ? new RejectsFile(rejectsPath as string, format.delimiter) : null;
  // The rows of a pass are known up front, so a share budget fails as soon as it is exceeded.
  const tally = new RowTally(policy, rejects, budgetOf(options.maxBadRows, policy, index.numRows));
  const bad =
    policy === "error"
      ? new Float64Array(0)
      : await scanBadRows(index, {
          format,
          schema,
          requireLabel: options.requireLabel,
          parser: options.parser,
          tally,
          rejects,
          ...(reading === null ? {} : { rows: reading.rows }),
        });
  const usable = new UsableRows(index.numRows, bad);
  const numSamples = usable.numSamples;
  const where = index.files.length === 1 ? (index.files[0] as string) : null;
  if (numSamples === 0) {
    throw new DataError({
      code: "no-data",
      file: where,
      reason: `no usable rows: ${index.numRows} rows, ${bad.length} bad`,
    });
  }
  const declared = options.numSamples ?? null;
  if (declared !== null && declared !== numSamples) {
    throw new DataError({
      code: "count-mismatch",
      file: where,
      reason: `expected ${declared} samples per pass (numSamples), the data has ${numSamples} (${index.numRows} rows, ${bad.length} bad): the data changed since it was counted`,
    });
  }
  const blocks = planBlocks({
    memoryBudget,
    numFeatures: schema.numFeatures,
    indexBytes: index.indexBytes + bad.byteLength,
  });
  const settings: RowReaderSettings = {
    index,
    format,
    schema,
    requireLabel: options.requireLabel,
    policy,
    unseen: tally.unseen,
    maxRecordChars: options.maxRecordChars ?? 16 * 2 ** 20,
    plan: blocks,
  };
  const reader = new RowReader(settings, reading?.decoder(settings));
  await reader.open();

  const readBlock = async (indices: ArrayLike<number>): Promise<SampleBlock> => {
    checkIndices(indices, numSamples);
    return reader.read(indices, (sample) => usable.rowOf(sample));
  };
  const source: IndexedCsvSource = {
    numFeatures: schema.numFeatures,
    numSamples,
    blockSamples: blocks.blockSamples,
    schema,
    index,
    blocks,
    badRows: bad.length,
    readBlock,
    // In file order through the same block reads: contiguous rows coalesce into large sequential reads.
    stream: () => readInBlocks(source, { start: 0, end: numSamples }, (i) => i),
    chunks: () => readInBlocks(source, { start: 0, end: numSamples }, (i) => i).chunks(),
    files: async () => [...index.files],
    summary: () => tally.summary(),
    ...workerSpecField(import.meta.url, "openIndexedCsv", [options]),
  };
  return source;
}
