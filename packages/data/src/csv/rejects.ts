import { once } from "node:events";
import { createWriteStream, type WriteStream } from "node:fs";
import { finished } from "node:stream/promises";
import { stringify } from "csv-stringify/sync";
import { DataError, type RowProblem } from "../errors.ts";
import type { CsvRow } from "./read.ts";

/** Columns of a rejects file: where the record was, why it was rejected, and the record itself. */
export const REJECTS_HEADER = ["file", "line", "row", "column", "reason", "record"] as const;

/**
 * The quarantine: bad records appended to a CSV with their file, line, row index and reason.
 * Each data row is written once per process even though every pass meets it again (rows come
 * in index order, so remembering the highest index written is enough). The file is truncated
 * when the first pass begins, so a stale file from an earlier run never survives.
 */
export class RejectsFile {
  private highestWritten = -1;
  private created = false;
  private stream: WriteStream | null = null;
  private failure: Error | null = null;

  constructor(
    readonly path: string,
    private readonly delimiter: string,
  ) {}

  /** Call when a pass starts: creates the file with its header the first time. */
  async begin(): Promise<void> {
    if (this.created) return;
    this.created = true;
    this.open("w");
    await this.put(stringify([[...REJECTS_HEADER]]));
  }

  /** Writes a bad record unless an earlier pass already did. */
  async write(row: CsvRow, problem: RowProblem): Promise<void> {
    if (row.ref.index <= this.highestWritten) return;
    this.highestWritten = row.ref.index;
    if (this.stream === null) this.open("a");
    // The record is re-serialised with the data's own delimiter, so it can be pasted back.
    const record = stringify([row.fields], { delimiter: this.delimiter, record_delimiter: "unix" }).replace(
      /\n$/,
      "",
    );
    const column = problem.column === null ? "" : `${problem.columnNumber} ${problem.column}`;
    await this.put(
      stringify([[row.ref.file ?? "", row.ref.line ?? "", row.ref.index, column, problem.reason, record]]),
    );
  }

  /** Flushes and closes the file; the next pass appends. Throws `DataError` (io) when a write failed. */
  async close(): Promise<void> {
    const stream = this.stream;
    this.stream = null;
    if (stream !== null) {
      stream.end();
      // `finished` settles on an error too: a stream that failed to open never calls end's callback.
      await finished(stream).catch((error: Error) => {
        this.failure ??= error;
      });
    }
    this.check();
  }

  private open(flags: "w" | "a"): void {
    const stream = createWriteStream(this.path, { flags });
    stream.on("error", (error) => {
      this.failure ??= error;
    });
    this.stream = stream;
  }

  private async put(text: string): Promise<void> {
    const stream = this.stream as WriteStream;
    // A stream that failed (its folder is missing, its path a folder) is destroyed: its events
    // already fired, so waiting for a drain would wait forever.
    if (!stream.destroyed && !stream.write(text) && !stream.destroyed) {
      await Promise.race([once(stream, "drain"), once(stream, "close")]).catch(() => {});
    }
    if (stream.destroyed) this.failure ??= stream.errored ?? new Error("the file was closed");
    this.check();
  }

  private check(): void {
    if (this.failure !== null) {
      throw new DataError({
        code: "io",
        file: this.path,
        reason: `cannot write rejects: ${this.failure.message}`,
        cause: this.failure,
      });
    }
  }
}
