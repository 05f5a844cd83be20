import { fileInput } from "../bytes/file-input.ts";
import { budgetOf } from "../csv/budget.ts";
import { resolveFormat } from "../csv/format.ts";
import { checkPolicy } from "../csv/policy.ts";
import { recordsFor } from "../csv/read.ts";
import { RejectsFile } from "../csv/rejects.ts";
import type { CsvFileInfo, CsvRow } from "../csv/rows.ts";
import type { CsvSourceOptions } from "../csv/source.ts";
import { parseSchema } from "../schema/json.ts";
import { workerSpecField } from "../worker-spec.ts";
import { type ByteSize, DEFAULT_MEMORY_BUDGET, parseByteSize } from "./memory.ts";
import { type IndexedCsvSource, openIndexedInputs } from "./open.ts";
import type { RangeDecoder } from "./reader.ts";
import { buildRowIndex, type RecordKind } from "./row-index.ts";
import type { RowReaderSettings } from "./settings.ts";

export type { IndexedCsvSource } from "./open.ts";

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
  const rejects = policy === "quarantine" ? new RejectsFile(rejectsPath as string, format.delimiter) : null;
  return openIndexedInputs({
    inputs: index.files.map((file) => fileInput(file)),
    index,
    format,
    schema,
    policy,
    memoryBudget,
    rejects,
    records: recordsFor(options.parser),
    options,
    ...(reading === null
      ? // A worker thread rebuilds a CSV source from its options; another format stays on this thread.
        workerSpecField(import.meta.url, "openIndexedCsv", [options])
      : { rows: reading.rows, decoder: reading.decoder }),
  });
}
