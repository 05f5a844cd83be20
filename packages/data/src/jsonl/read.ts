import { createReadStream } from "node:fs";
import { createGunzip } from "node:zlib";
import type { CsvFileInfo, CsvRow } from "../csv/read.ts";
import { DataError } from "../errors.ts";
import type { RowRef } from "../types.ts";
import { LineSplitter } from "./lines.ts";
import { addKeys, COLUMN_PEEK_RECORDS, cellsOf, parseObject } from "./record.ts";

export interface JsonlReadOptions {
  /**
   * The columns every record is read as (e.g. `schema.columns`); a key a record lacks is a
   * missing value. Unset: the keys of each file's first 1000 records, in first-seen order.
   */
  columns?: readonly string[] | null;
  /** Called once per file before its rows: the place for column checks. */
  onFile?: (info: CsvFileInfo) => void;
  /** Bytes per read. Default 256 KiB. */
  chunkBytes?: number;
}

/** A JSON Lines file's bytes, gunzipped on the fly for `.gz`, in chunks. Throws `DataError` for a missing or unreadable file. */
export async function* readJsonlChunks(file: string, chunkBytes: number): AsyncGenerator<Buffer> {
  const raw = createReadStream(file, { highWaterMark: chunkBytes });
  const stream = /\.gz$/i.test(file) ? raw.pipe(createGunzip({ chunkSize: chunkBytes })) : raw;
  raw.on("error", (error) => stream.destroy(error));
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) yield chunk;
  } catch (error) {
    const err = error as NodeJS.ErrnoException;
    if (err.code === "ENOENT")
      throw new DataError({ code: "file-not-found", file, reason: "no such file", cause: error });
    throw new DataError({ code: "io", file, reason: `cannot read: ${err.message}`, cause: error });
  } finally {
    raw.destroy();
  }
}

/** Records of one file, in batches (one await per chunk, not per record). */
async function* fileRecords(
  file: string,
  chunkBytes: number,
): AsyncGenerator<{ bytes: Buffer; line: number }[]> {
  let batch: { bytes: Buffer; line: number }[] = [];
  // A copy per record: the splitter's views die with the next chunk.
  const splitter = new LineSplitter((bytes, _, line) => batch.push({ bytes: Buffer.from(bytes), line }));
  for await (const chunk of readJsonlChunks(file, chunkBytes)) {
    splitter.push(chunk);
    if (batch.length > 0) {
      yield batch;
      batch = [];
    }
  }
  splitter.end();
  if (batch.length > 0) yield batch;
}

/** The keys of a file's first `COLUMN_PEEK_RECORDS` records that are JSON objects. */
async function peekColumns(file: string, chunkBytes: number): Promise<string[]> {
  const columns: string[] = [];
  const seen = new Set<string>();
  let records = 0;
  for await (const batch of fileRecords(file, chunkBytes)) {
    for (const { bytes } of batch) {
      const { record } = parseObject(bytes);
      if (record !== null) addKeys(record, columns, seen);
      if (++records >= COLUMN_PEEK_RECORDS) return columns;
    }
  }
  return columns;
}

/**
 * Streams the records of JSON Lines files (`.jsonl`, `.ndjson`, optionally `.gz`) in order, with
 * bounded memory, as rows of cells (see `cellText`) that the schema encoder reads like CSV
 * fields. Each row carries its RowRef (1-based physical line); a line that is not a JSON object
 * or not UTF-8 is a row with a problem, for the caller's bad-record policy. Blank lines are not
 * records. Throws `DataError` for missing, unreadable or empty files.
 */
export async function* readJsonlRows(
  files: readonly string[],
  options: JsonlReadOptions = {},
): AsyncGenerator<CsvRow> {
  const chunkBytes = options.chunkBytes ?? 256 * 1024;
  let index = 0;
  for (let fileIndex = 0; fileIndex < files.length; fileIndex++) {
    const file = files[fileIndex] as string;
    const columns = options.columns ? [...options.columns] : await peekColumns(file, chunkBytes);
    const info: CsvFileInfo = { file, fileIndex, columns, headerLine: null };
    let announced = false;
    for await (const batch of fileRecords(file, chunkBytes)) {
      if (!announced) {
        if (columns.length === 0) {
          throw new DataError({
            code: "bad-json",
            file,
            reason: "no JSON object with keys in the first records",
          });
        }
        options.onFile?.(info);
        announced = true;
      }
      for (const { bytes, line } of batch) {
        const ref: RowRef = { index, file, fileIndex, line };
        index++;
        const { record, problem } = parseObject(bytes);
        yield { fields: record === null ? [] : cellsOf(record, columns), ref, info, problem };
      }
    }
    if (!announced) throw new DataError({ code: "empty-file", file, reason: "empty file: no records" });
  }
}
