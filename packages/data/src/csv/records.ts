import { createReadStream } from "node:fs";
import { pipeline, type Readable, Transform } from "node:stream";
import { createGunzip } from "node:zlib";
import { parse } from "csv-parse";
import { DataError } from "../errors.ts";
import type { ResolvedFormat } from "./format.ts";
import { CsvSyntaxError, RecordSplitter, type SplitRecord } from "./split.ts";
import { Utf8Tracker } from "./utf8.ts";

/** `fast`: the byte-level splitter (default); `csv-parse`: the reference parser it is tested against. */
export type CsvParser = "fast" | "csv-parse";
export const CSV_PARSERS: readonly CsvParser[] = ["fast", "csv-parse"];

/** A record as a file yields it, before it becomes a row. */
export interface Parsed {
  fields: string[];
  /** 1-based physical line where the record starts. */
  line: number;
  badUtf8: boolean;
}

export interface FileReadOptions {
  chunkBytes: number;
  maxRecordChars: number;
  /** The file's column names once known, for error messages. */
  columns: () => readonly string[] | null;
}

/** Records end at `\n` or `\r\n` only: a lone `\r` is data, as it is for the row counter. */
const RECORD_DELIMITERS = ["\r\n", "\n"];

export function ioError(file: string, error: unknown): DataError {
  if (error instanceof DataError) return error;
  const err = error as NodeJS.ErrnoException;
  const code = err?.code ?? "";
  if (code === "ENOENT")
    return new DataError({ code: "file-not-found", file, reason: "no such file", cause: error });
  if (code.startsWith("Z_") || code === "ERR_ZLIB") {
    return new DataError({
      code: "io",
      file,
      reason: `not a valid gzip stream (${err.message})`,
      cause: error,
    });
  }
  return new DataError({
    code: "io",
    file,
    reason: `cannot read: ${err?.message ?? String(error)}`,
    cause: error,
  });
}

/**
 * Why a quote error stops the read whatever the bad-record policy: a quote decides which line
 * feeds end records, so once one is broken the parser cannot tell where this record ends, nor
 * where the next starts (an unclosed quote may run to the end of the file). Skipping "the bad
 * record" would mean guessing its extent, and every row after it could be cut wrongly. (A quote
 * inside an unquoted field could be resynchronised at the end of its line; that would need the
 * row index's record counter, which treats every quote as a toggle, to apply the same rule.)
 */
const QUOTE_STOPS =
  "the bad-record policy cannot skip it: a broken quote moves where records end, so no later row could be trusted";

/** A syntax error of either parser, as one line at the start of the record that failed. */
export function syntaxError(
  file: string,
  code: string | undefined,
  index: number | null,
  line: number,
  columns: readonly string[] | null,
  cause: unknown,
): DataError | null {
  const column = index === null ? null : (columns?.[index] ?? null);
  const where =
    index === null ? "" : ` in column ${index + 1}${column === null ? "" : ` ${JSON.stringify(column)}`}`;
  const base = { file, line, column, columnNumber: index === null ? null : index + 1, cause };
  switch (code) {
    case "CSV_QUOTE_NOT_CLOSED":
      return new DataError({
        ...base,
        code: "quote",
        reason: `quoted field${where} is never closed (unterminated quote); ${QUOTE_STOPS}`,
      });
    case "CSV_INVALID_CLOSING_QUOTE":
      return new DataError({
        ...base,
        code: "quote",
        reason: `closing quote${where} is followed by a character other than a delimiter or line break (a quote inside a quoted field is written twice: "5'10"""); ${QUOTE_STOPS}`,
      });
    case "INVALID_OPENING_QUOTE":
      return new DataError({
        ...base,
        code: "quote",
        reason: `quote inside an unquoted field${where} (quote the field and double the quote: "5'10"""); ${QUOTE_STOPS}`,
      });
    case "CSV_MAX_RECORD_SIZE":
      return new DataError({
        ...base,
        code: "record-too-long",
        reason: "record exceeds the maximum record size (an unterminated quote?)",
      });
    default:
      return null;
  }
}

export function bytesOf(file: string, chunkBytes: number): Readable {
  const input = createReadStream(file, { highWaterMark: chunkBytes });
  if (!/\.gz$/i.test(file)) return input;
  const gunzip = createGunzip({ chunkSize: Math.max(chunkBytes, 64) });
  pipeline(input, gunzip, () => {}); // errors surface through gunzip
  return gunzip;
}

/** The fast path: chunks → UTF-8 tracker → `RecordSplitter`, one batch of records per chunk. */
export async function* fastRecords(
  file: string,
  format: ResolvedFormat,
  options: FileReadOptions,
): AsyncGenerator<Parsed[]> {
  const tracker = new Utf8Tracker();
  const splitter = new RecordSplitter(format.delimiter, options.maxRecordChars);
  const split: SplitRecord[] = [];
  const batch = (): Parsed[] => {
    const parsed = split.map((r) => ({
      fields: r.fields,
      line: r.line,
      badUtf8: tracker.hasInvalid(r.start, r.end),
    }));
    split.length = 0;
    return parsed;
  };
  const input = bytesOf(file, options.chunkBytes);
  let broken: CsvSyntaxError | null = null;
  try {
    for await (const chunk of input as AsyncIterable<Buffer>) {
      tracker.push(chunk);
      splitter.push(chunk, split);
      if (split.length > 0) yield batch();
    }
    tracker.end();
    splitter.end(split);
  } catch (error) {
    if (!(error instanceof CsvSyntaxError)) throw ioError(file, error);
    broken = error;
  } finally {
    input.destroy();
  }
  // Records before a broken one are still delivered, so counts up to the error are exact.
  if (split.length > 0) yield batch();
  if (broken !== null) {
    throw syntaxError(file, broken.code, broken.column, broken.line, options.columns(), broken) as DataError;
  }
}

/**
 * The reference path through csv-parse. Each record is tagged as the parser pushes it, when
 * csv-parse's live `info` counters (bytes, empty lines) describe exactly that record; this is
 * free, unlike `on_record`/`info: true`, which build an object per record (~2.5 s per million
 * rows), and it keeps an error's line exact while earlier records are still buffered.
 */
export async function* csvParseRecords(
  file: string,
  format: ResolvedFormat,
  options: FileReadOptions,
): AsyncGenerator<Parsed[]> {
  const tracker = new Utf8Tracker();
  const check = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      tracker.push(chunk);
      done(null, chunk);
    },
    flush(done) {
      tracker.end();
      done();
    },
  });
  const parser = parse({
    delimiter: format.delimiter,
    bom: true,
    relax_column_count: true, // field counts are checked by the reader, so that the policy can decide
    skip_empty_lines: true,
    record_delimiter: RECORD_DELIMITERS,
    max_record_size: options.maxRecordChars,
  });
  let linesBefore = 0; // physical lines taken by the records parsed so far
  let recordStart = 0; // byte offset where the next record's bytes begin
  const push = parser.push.bind(parser);
  parser.push = (record: string[] | null): boolean => {
    if (record === null) return push(null);
    const { bytes, empty_lines: emptyLines } = parser.info;
    const line = 1 + linesBefore + emptyLines;
    for (const field of record) {
      for (let at = field.indexOf("\n"); at !== -1; at = field.indexOf("\n", at + 1)) linesBefore++;
    }
    linesBefore++;
    const badUtf8 = tracker.hasInvalid(recordStart, bytes);
    recordStart = bytes;
    return push({ fields: record, line, badUtf8 } satisfies Parsed);
  };
  let failure: unknown = null;
  pipeline([bytesOf(file, options.chunkBytes), check, parser], (error) => {
    if (error && (error as { code?: string }).code !== "ERR_STREAM_PREMATURE_CLOSE") failure ??= error;
  });
  try {
    for await (const parsed of parser as AsyncIterable<Parsed>) yield [parsed];
  } catch (error) {
    const err = error as { code?: string; column?: unknown; empty_lines?: number };
    const line = 1 + linesBefore + (err.empty_lines ?? 0);
    const index = typeof err.column === "number" ? err.column : null;
    throw (
      syntaxError(file, err.code, index, line, options.columns(), error) ?? ioError(file, failure ?? error)
    );
  } finally {
    parser.destroy();
  }
  if (failure !== null) throw ioError(file, failure);
}
