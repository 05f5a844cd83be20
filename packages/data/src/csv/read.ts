import { DataError, type RowProblem } from "../errors.ts";
import type { RowRef } from "../types.ts";
import {
  type CsvFormat,
  checkColumnNames,
  defaultColumnNames,
  namesFromHeader,
  type ResolvedFormat,
  resolveFormat,
} from "./format.ts";
import { bytesOf, CSV_PARSERS, type CsvParser, csvParseRecords, fastRecords, ioError } from "./records.ts";

/** One file of the dataset, as its header (or the given names) describes it. */
export interface CsvFileInfo {
  file: string;
  fileIndex: number;
  columns: readonly string[];
  /** 1-based line of the header row; null without a header. */
  headerLine: number | null;
}

/** One data record: its fields, where it is, and a structural problem if it has one. */
export interface CsvRow {
  fields: string[];
  ref: RowRef;
  info: CsvFileInfo;
  /** Wrong field count or invalid UTF-8; the fields are then not to be trusted. */
  problem: RowProblem | null;
}

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
  let index = 0;
  const parser = options.parser ?? "fast";
  if (!CSV_PARSERS.includes(parser)) {
    throw new DataError({
      code: "options",
      reason: `parser must be one of ${CSV_PARSERS.join(", ")}, got ${JSON.stringify(parser)}`,
    });
  }
  const records = parser === "fast" ? fastRecords : csvParseRecords;
  // One generator for all files, records in batches: every async hop per row costs time.
  for (let fileIndex = 0; fileIndex < files.length; fileIndex++) {
    const file = files[fileIndex] as string;
    let info: CsvFileInfo | null = null;
    const batches = records(file, format, {
      chunkBytes: options.chunkBytes ?? 256 * 1024,
      maxRecordChars: options.maxRecordChars ?? 16 * 2 ** 20,
      columns: () => info?.columns ?? null,
    });
    let first: string[] | null = null;
    let recordsInFile = 0;
    for await (const batch of batches) {
      recordsInFile += batch.length;
      for (const { fields, line, badUtf8 } of batch) {
        if (info === null) {
          first = fields;
          info = fileInfo(file, fileIndex, format, fields, line, badUtf8);
          options.onFile?.(info);
          if (format.header) continue;
        }
        const ref: RowRef = { index, file, fileIndex, line };
        index++;
        yield { fields, ref, info, problem: rowProblem(fields, info.columns, badUtf8) };
      }
    }
    if (recordsInFile === 1 && (first as string[]).some((field) => LONE_CR.test(field))) {
      if (await loneCrOutsideQuotes(file)) throw crOnly(file);
    }
    if (info === null) {
      throw new DataError({
        code: "empty-file",
        file,
        reason: format.header ? "empty file: expected a header row" : "empty file: no records",
      });
    }
  }
}

/** A carriage return not followed by a line feed. */
const LONE_CR = /\r(?!\n)/;

/** Bytes of a file's start looked at for CR-only line endings. */
const LINE_ENDING_PROBE_BYTES = 64 * 1024;

/**
 * Whether the start of `file` holds a carriage return outside quotes that no line feed follows:
 * a line ending, not data. Asked only of a file that read as one record holding a lone CR (a
 * quoted `"a\rb"` is data and stays so).
 */
async function loneCrOutsideQuotes(file: string): Promise<boolean> {
  const input = bytesOf(file, LINE_ENDING_PROBE_BYTES);
  try {
    for await (const chunk of input as AsyncIterable<Buffer>) {
      let quoted = false;
      for (let i = 0; i < chunk.length; i++) {
        const byte = chunk[i];
        if (byte === 0x22) quoted = !quoted;
        else if (byte === 0x0d && !quoted && chunk[i + 1] !== 0x0a) return true;
      }
      return false; // the first chunk decides: a CR-only file shows it on its first line
    }
    return false;
  } catch (error) {
    throw ioError(file, error);
  } finally {
    input.destroy();
  }
}

/**
 * Records end at `\n` or `\r\n` (as in csv-parse with the reader's options), so a file whose lines
 * end with a lone `\r` (classic Mac OS) reads as a single record holding carriage returns.
 * That shape, one record with a lone CR outside quotes, is refused rather than read as a header
 * with no rows.
 */
function crOnly(file: string): DataError {
  return new DataError({
    code: "line-endings",
    file,
    line: 1,
    reason:
      "the line endings are CR only (carriage returns without line feeds); records end at \\n or \\r\\n: " +
      "convert the file first, e.g. tr '\\r' '\\n' < in.csv > out.csv",
  });
}

/**
 * The first record of a file: its header, or (without one) the first data record. Throws
 * `DataError` for invalid UTF-8 or duplicate names in a header.
 */
export function fileInfo(
  file: string,
  fileIndex: number,
  format: ResolvedFormat,
  fields: string[],
  line: number,
  badUtf8: boolean,
): CsvFileInfo {
  if (!format.header) {
    return {
      file,
      fileIndex,
      columns: format.columns ?? defaultColumnNames(fields.length),
      headerLine: null,
    };
  }
  if (badUtf8) {
    throw new DataError({ code: "invalid-utf8", file, line, reason: "header row is not valid UTF-8" });
  }
  const columns = namesFromHeader(fields);
  checkColumnNames(columns, file, line);
  return { file, fileIndex, columns, headerLine: line };
}

export function rowProblem(
  fields: readonly string[],
  columns: readonly string[],
  badUtf8: boolean,
): RowProblem | null {
  if (fields.length !== columns.length) {
    return {
      code: "field-count",
      reason: `expected ${columns.length} fields, got ${fields.length}`,
      column: null,
      columnNumber: null,
    };
  }
  if (badUtf8) {
    // csv-parse decoded the bad bytes to U+FFFD, which points at the column.
    const at = fields.findIndex((field) => field.includes("\uFFFD"));
    const column = at === -1 ? null : (columns[at] as string);
    const where = column === null ? "record" : `column ${at + 1} ${JSON.stringify(column)}`;
    return {
      code: "invalid-utf8",
      reason: `${where} is not valid UTF-8 (is the file in another encoding?)`,
      column,
      columnNumber: at === -1 ? null : at + 1,
    };
  }
  return null;
}
