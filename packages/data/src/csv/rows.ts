import type { ByteInput } from "../bytes/input.ts";
import { DataError, type RowProblem } from "../errors.ts";
import type { RowRef } from "../types.ts";
import type { FileReadOptions, Parsed } from "./fast-records.ts";
import { checkColumnNames, defaultColumnNames, namesFromHeader, type ResolvedFormat } from "./format.ts";
import { ioError } from "./syntax.ts";

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

/** How one input's records are read: the fast splitter, or (on Node) csv-parse. */
export type RecordsOf = (
  input: ByteInput,
  format: ResolvedFormat,
  options: FileReadOptions,
) => AsyncIterable<Parsed[]>;

/** What `readRows` needs besides the inputs (see `CsvReadOptions`). */
export interface ReadRowsOptions {
  onFile?: (info: CsvFileInfo) => void;
  chunkBytes: number;
  maxRecordChars: number;
}

/**
 * The data records of `inputs` in order, whatever holds their bytes: `readCsvRows` on Node and
 * the browser sources read through this. Every row carries its RowRef (0-based data row index
 * across inputs, input name, fileIndex, 1-based start line). Throws `DataError` for structural
 * problems; per-record problems are reported on the row.
 */
export async function* readRows(
  inputs: readonly ByteInput[],
  format: ResolvedFormat,
  options: ReadRowsOptions,
  records: RecordsOf,
): AsyncGenerator<CsvRow> {
  let index = 0;
  // One generator for all files, records in batches: every async hop per row costs time.
  for (let fileIndex = 0; fileIndex < inputs.length; fileIndex++) {
    const input = inputs[fileIndex] as ByteInput;
    const file = input.name;
    let info: CsvFileInfo | null = null;
    const batches = records(input, format, {
      chunkBytes: options.chunkBytes,
      maxRecordChars: options.maxRecordChars,
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
      if (await loneCrOutsideQuotes(input)) throw crOnly(file);
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
 * Whether the start of `input` holds a carriage return outside quotes that no line feed follows:
 * a line ending, not data. Asked only of a file that read as one record holding a lone CR (a
 * quoted `"a\rb"` is data and stays so).
 */
async function loneCrOutsideQuotes(input: ByteInput): Promise<boolean> {
  try {
    for await (const chunk of input.chunks(LINE_ENDING_PROBE_BYTES)) {
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
    throw ioError(input.name, error);
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
