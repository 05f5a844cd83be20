import { openArrowFile } from "../arrow/source.ts";
import type { CsvFormat } from "../csv/format.ts";
import { type CsvFileInfo, type CsvRow, readCsvRows } from "../csv/read.ts";
import type { CsvParser } from "../csv/records.ts";
import { readJsonlRows } from "../jsonl/read.ts";
import { openParquetFile } from "../parquet/source.ts";
import { readGroupedRows } from "../table/grouped.ts";
import type { DataFormat } from "./files.ts";

export interface ReadRowsOptions extends CsvFormat {
  onFile?: (info: CsvFileInfo) => void;
  chunkBytes?: number;
  parser?: CsvParser;
}

/**
 * The rows of one pass over `files` of `format`, in file order, as the CSV reader gives them
 * (cells, RowRef, the file's columns, a per-record problem): the one place a format is chosen
 * for sequential reading (schema inference, streaming sources, bad-row scans).
 */
export function readRows(
  format: DataFormat,
  files: readonly string[],
  options: ReadRowsOptions = {},
): AsyncIterable<CsvRow> {
  switch (format) {
    case "csv":
      return readCsvRows(files, options);
    case "jsonl":
      return readJsonlRows(files, { onFile: options.onFile, chunkBytes: options.chunkBytes });
    case "parquet":
      return readGroupedRows(files, openParquetFile, { onFile: options.onFile });
    case "arrow":
      return readGroupedRows(files, openArrowFile, { onFile: options.onFile });
  }
}
