import type { ByteInput } from "../bytes/input.ts";
import { DataError, type RowProblem } from "../errors.ts";
import type { RowRef } from "../types.ts";
import type { FileReadOptions, Parsed } from "./fast-records.ts";
import { checkColumnNames, defaultColumnNames, namesFromHeader, type ResolvedFormat } from "./format.ts";

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
    for await (const batch of batches) {
      for (const { fields, line, badUtf8 } of batch) {
        if (info === null) {
          info = fileInfo(file, fileIndex, format, fields, line, badUtf8);
          options.onFile?.(info);
          if (format.header) continue;
        }
        const ref: RowRef = { index, file, fileIndex, line };
        index++;
        yield { fields, ref, info, problem: rowProblem(fields, info.columns, badUtf8) };
      }
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

/** The first record of a file: its header, or (without one) the first data record. */
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
