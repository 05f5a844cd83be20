import { fileInput } from "../bytes/file-input.ts";
import { budgetOf } from "../csv/budget.ts";
import { resolveFormat } from "../csv/format.ts";
import { checkPolicy } from "../csv/policy.ts";
import { recordsFor } from "../csv/read.ts";
import { RejectsFile } from "../csv/rejects.ts";
import type { CsvSourceOptions } from "../csv/source.ts";
import { parseSchema } from "../schema/json.ts";
import { type ByteSize, DEFAULT_MEMORY_BUDGET, parseByteSize } from "./memory.ts";
import { type IndexedCsvSource, openIndexedInputs } from "./open.ts";
import { buildRowIndex } from "./row-index.ts";

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
  const format = resolveFormat(options);
  const schema = parseSchema(options.schema);
  const rejectsPath = options.rejects ?? null;
  const policy = checkPolicy(options.onBadRecord ?? "error", rejectsPath);
  const memoryBudget = parseByteSize(options.memoryBudget ?? DEFAULT_MEMORY_BUDGET);
  budgetOf(options.maxBadRows, policy, null); // option mistakes fail before the files are indexed
  const index = await buildRowIndex(options.paths, {
    header: format.header,
    indexDir: options.indexDir ?? null,
    cache: options.cache ?? true,
    ...(options.chunkBytes !== undefined ? { chunkBytes: options.chunkBytes } : {}),
  });
  const rejects = policy === "quarantine" ? new RejectsFile(rejectsPath as string, format.delimiter) : null;
  const records = recordsFor(options.parser);
  return openIndexedInputs({
    inputs: index.files.map((file) => fileInput(file)),
    index,
    format,
    schema,
    policy,
    memoryBudget,
    rejects,
    records,
    options,
  });
}
