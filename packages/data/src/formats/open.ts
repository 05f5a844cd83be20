import { openArrowFile, openArrowSource } from "../arrow/source.ts";
import { countRowsPerFile, type RowCount } from "../csv/count.ts";
import { type CsvSource, type CsvSourceOptions, csvSource } from "../csv/source.ts";
import { DataError } from "../errors.ts";
import { LineCounter } from "../jsonl/lines.ts";
import { readJsonlChunks } from "../jsonl/read.ts";
import { jsonlSource, openIndexedJsonl } from "../jsonl/source.ts";
import { openParquetFile, openParquetSource } from "../parquet/source.ts";
import type { BlockSource } from "../pipeline/block.ts";
import { type IndexedCsvSourceOptions, openIndexedCsv } from "../row-index/source.ts";
import type { OpenGroupedFile } from "../table/grouped.ts";
import { type DataFormat, resolveDataFiles } from "./files.ts";

/** A random-access dataset of any format: a block source with its schema, files and read summary. */
export type DataSource = CsvSource & BlockSource;

/**
 * Opens data of `format` as a random-access block source (full shuffle, position-only resume):
 * CSV and JSON Lines through their row index, Parquet and Arrow through their row groups. CSV
 * layout options (header, delimiter) apply to CSV only. Throws `DataError` as `openIndexedCsv` does.
 * @example const source = await openDataSource("parquet", { paths: "flights.parquet", schema })
 */
export async function openDataSource(
  format: DataFormat,
  options: IndexedCsvSourceOptions,
): Promise<DataSource> {
  switch (format) {
    case "csv":
      return openIndexedCsv(options);
    case "jsonl":
      return openIndexedJsonl(options);
    case "parquet":
      return openParquetSource(options);
    case "arrow":
      return openArrowSource(options);
  }
}

/**
 * Streams data of `format` pass after pass (`csvSource`, `jsonlSource`): the reading for gzip
 * files and `buffer` shuffles. Parquet and Arrow are always random access: their stream is the
 * block source's, in file order.
 */
export async function streamDataSource(format: DataFormat, options: CsvSourceOptions): Promise<CsvSource> {
  if (format === "csv") return csvSource(options);
  if (format === "jsonl") return jsonlSource(options);
  return openDataSource(format, options);
}

const GROUPED: Partial<Record<DataFormat, OpenGroupedFile>> = {
  parquet: openParquetFile,
  arrow: openArrowFile,
};

/**
 * Data rows per file of `format` (header rows and blank lines excluded): CSV as `countRowsPerFile`,
 * JSON Lines by counting non-blank lines (gzip decompressed on the fly), Parquet and Arrow from
 * their footers and batch headers. Throws `DataError` for missing or empty files.
 * @example (await countDataRows("parquet", "flights.parquet")).numRows // 3000000
 */
export async function countDataRows(
  format: DataFormat,
  paths: string | readonly string[],
  csv: { header?: boolean; delimiter?: string } = {},
): Promise<RowCount> {
  if (format === "csv") return countRowsPerFile(paths, csv);
  const files = await resolveDataFiles(paths, format);
  const counts: RowCount["files"] = [];
  for (const file of files) {
    let numRows = 0;
    const open = GROUPED[format];
    if (open !== undefined) {
      const table = await open(file);
      numRows = table.groupRows.reduce((a, b) => a + b, 0);
      await table.close();
    } else {
      const counter = new LineCounter();
      for await (const chunk of readJsonlChunks(file, 1024 * 1024)) counter.push(chunk);
      numRows = counter.end();
    }
    if (numRows === 0) throw new DataError({ code: "empty-file", file, reason: "empty file: no records" });
    counts.push({ file, numRows });
  }
  return { numRows: counts.reduce((sum, c) => sum + c.numRows, 0), files: counts };
}
