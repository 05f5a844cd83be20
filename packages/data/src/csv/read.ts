import { fileInput } from "../bytes/file-input.ts";
import { DataError } from "../errors.ts";
import { fastRecords } from "./fast-records.ts";
import { type CsvFormat, resolveFormat } from "./format.ts";
import { CSV_PARSERS, type CsvParser, csvParseRecords } from "./records.ts";
import { type CsvFileInfo, type CsvRow, type RecordsOf, readRows } from "./rows.ts";

export { type CsvFileInfo, type CsvRow, fileInfo, rowProblem } from "./rows.ts";

export interface CsvReadOptions extends CsvFormat {
  /** Called once per file after its header is read, before its rows: the place for column checks. */
  onFile?: (info: CsvFileInfo) => void;
  /** Bytes per read. Default 256 KiB. */
  chunkBytes?: number;
  /** Longest record accepted, in characters; bounds memory when a quote never closes. Default 16 Mi. */
  maxRecordChars?: number;
  /** Default `fast`; `csv-parse` reads through the reference parser (same records, about 5x slower). */
  parser?: CsvParser;
}

/**
 * Streams the data records of `files` in order, with bounded memory: each file through
 * (gunzip →) a UTF-8 check → the record splitter (or csv-parse, the reference it is proven
 * equal to). Every row carries its RowRef (0-based data row index
 * across files, file, fileIndex, 1-based start line). Empty lines are not records. Throws
 * `DataError` for structural problems (empty file, duplicate header names, broken quotes,
 * unreadable files); per-record problems are reported on the row for the caller's policy.
 */
export async function* readCsvRows(
  files: readonly string[],
  options: CsvReadOptions = {},
): AsyncGenerator<CsvRow> {
  const format = resolveFormat(options);
  const records = recordsFor(options.parser);
  yield* readRows(
    files.map((file) => fileInput(file)),
    format,
    {
      onFile: options.onFile,
      chunkBytes: options.chunkBytes ?? 256 * 1024,
      maxRecordChars: options.maxRecordChars ?? 16 * 2 ** 20,
    },
    records,
  );
}

/** The record reader of `parser` (default `fast`). Throws `DataError` (options) for an unknown one. */
export function recordsFor(parser: CsvParser = "fast"): RecordsOf {
  if (!CSV_PARSERS.includes(parser)) {
    throw new DataError({
      code: "options",
      reason: `parser must be one of ${CSV_PARSERS.join(", ")}, got ${JSON.stringify(parser)}`,
    });
  }
  return parser === "fast" ? fastRecords : (input, format, o) => csvParseRecords(input.name, format, o);
}
