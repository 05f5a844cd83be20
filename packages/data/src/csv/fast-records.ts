import type { ByteInput } from "../bytes/input.ts";
import type { DataError } from "../errors.ts";
import type { ResolvedFormat } from "./format.ts";
import { CsvSyntaxError, RecordSplitter, type SplitRecord } from "./split.ts";
import { ioError, syntaxError } from "./syntax.ts";
import { Utf8Tracker } from "./utf8.ts";

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

/** The fast path: chunks → UTF-8 tracker → `RecordSplitter`, one batch of records per chunk. */
export async function* fastRecords(
  input: ByteInput,
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
  const file = input.name;
  const chunks = input.chunks(options.chunkBytes)[Symbol.asyncIterator]();
  let broken: CsvSyntaxError | null = null;
  try {
    for (let next = await chunks.next(); next.done !== true; next = await chunks.next()) {
      const chunk = next.value;
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
    await chunks.return?.(undefined);
  }
  // Records before a broken one are still delivered, so counts up to the error are exact.
  if (split.length > 0) yield batch();
  if (broken !== null) {
    throw syntaxError(file, broken.code, broken.column, broken.line, options.columns(), broken) as DataError;
  }
}
