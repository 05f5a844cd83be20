/**
 * One pass of a CSV source in chunks: the fast path of `csvSource`, giving exactly the samples,
 * bad-record decisions, counts and errors of its per-sample `stream()` (proven by differential
 * tests). Each chunk of bytes is split and encoded in one synchronous sweep: simple lines go
 * straight from bytes into the chunk's Float32Array through the `LineEncoder`; every other
 * record (the header, quoted line breaks, anything the line encoder declines) takes the
 * reference path, splitter fields through `SchemaEncoder.encode`, at its place in the order.
 */

import { allocateChunk, type SampleChunk } from "../pipeline/chunk.ts";
import { SchemaEncoder } from "../schema/encode.ts";
import type { Schema } from "../schema/types.ts";
import type { RowRef } from "../types.ts";
import { DataError, type RowProblem } from "./errors.ts";
import type { ResolvedFormat } from "./format.ts";
import { LineEncoder } from "./line-encoder.ts";
import type { PassCounts, RowTally } from "./policy.ts";
import { type CsvFileInfo, type CsvRow, fileInfo, rowProblem } from "./read.ts";
import { bytesOf, ioError, syntaxError } from "./records.ts";
import type { RejectsFile } from "./rejects.ts";
import { CsvSyntaxError, type LineTaker, RecordSplitter, type SplitRecord } from "./split.ts";
import { Utf8Tracker } from "./utf8.ts";

const LF = 0x0a;

export interface CsvChunksOptions {
  files: readonly string[];
  format: ResolvedFormat;
  schema: Schema;
  requireLabel?: boolean;
  chunkBytes?: number;
  maxRecordChars?: number;
  /** The source's tally (bad-record policy and counts) and rejects file, shared with its per-sample passes. */
  tally: RowTally;
  rejects: RejectsFile | null;
  /** Usable samples per pass when declared; checked at the end of the pass. */
  numSamples: number | null;
  /** Turns the byte-level line path off (every record through the reference path); for tests. */
  lines?: boolean;
}

interface BadRow {
  /** Good samples of the chunk before this row. */
  at: number;
  row: CsvRow;
  problem: RowProblem;
}

/** Reads one file's records into chunks; a `LineTaker` for the splitter. */
class FileChunker implements LineTaker {
  info: CsvFileInfo | null = null;
  /** Next data row index across files. */
  index: number;
  chunk: SampleChunk;
  bad: BadRow[] = [];
  readonly tracker = new Utf8Tracker();
  readonly splitter: RecordSplitter;
  private readonly split: SplitRecord[] = [];
  private lineEncoder: LineEncoder | null = null;
  /** The last UTF-8 verdict of a line the line encoder met, which the tracker gives only once. */
  private checkedStart = -1;
  private checkedInvalid = false;
  /** The buffer the splitter is sweeping, and its last line feed. */
  private buffer: Buffer | null = null;
  private lastLineFeed = -1;
  private readonly numFeatures: number;

  constructor(
    private readonly file: string,
    private readonly fileIndex: number,
    private readonly format: ResolvedFormat,
    private readonly encoder: SchemaEncoder,
    private readonly lines: boolean,
    maxRecordChars: number,
    firstIndex: number,
    capacity: number,
  ) {
    this.index = firstIndex;
    this.numFeatures = encoder.numFeatures;
    this.splitter = new RecordSplitter(format.delimiter, maxRecordChars);
    this.splitter.taker = this;
    this.chunk = allocateChunk(capacity, this.numFeatures);
  }

  /** Splits and encodes `bytes` (null: the end of the file); throws `CsvSyntaxError` after keeping the records before it. */
  push(bytes: Buffer | null): void {
    // The chunk taken last is done with (see SampleChunk): its memory takes the next rows.
    this.chunk.numSamples = 0;
    this.chunk.rows = [];
    this.bad = [];
    try {
      if (bytes === null) {
        this.tracker.end();
        this.splitter.end(this.split);
      } else {
        this.tracker.push(bytes);
        this.splitter.push(bytes, this.split);
      }
    } finally {
      this.drain();
    }
  }

  /** The chunk and bad rows of the last `push`. */
  take(): { chunk: SampleChunk; bad: BadRow[] } {
    return { chunk: this.chunk, bad: this.bad };
  }

  line(buf: Buffer, start: number, end: number, line: number, offset: number): number {
    if (this.split.length > 0) this.drain(); // records the splitter kept come first
    const encoder = this.lineEncoder;
    if (encoder === null) return -1;
    // The line encoder needs a line feed ahead (its scans stop there, unchecked).
    if (buf !== this.buffer) {
      this.buffer = buf;
      this.lastLineFeed = buf.lastIndexOf(LF);
    }
    if (start > this.lastLineFeed) return -1;
    const chunk = this.reserve();
    const k = chunk.numSamples;
    const lf = encoder.encode(buf, start, end, chunk.features, k * this.numFeatures);
    if (lf < 0) return -1;
    if (encoder.nonAscii) {
      this.checkedStart = offset;
      this.checkedInvalid = this.tracker.hasInvalid(offset, offset + lf + 1 - start);
      if (this.checkedInvalid) return -1;
    }
    chunk.labels[k] = encoder.label;
    chunk.rows.push({ index: this.index++, file: this.file, fileIndex: this.fileIndex, line });
    chunk.numSamples = k + 1;
    return lf;
  }

  private drain(): void {
    const split = this.split;
    for (let i = 0; i < split.length; i++) {
      const r = split[i] as SplitRecord;
      const badUtf8 =
        r.start === this.checkedStart ? this.checkedInvalid : this.tracker.hasInvalid(r.start, r.end);
      this.record(r.fields, r.line, badUtf8);
    }
    split.length = 0;
  }

  /** The reference path: as `readCsvRows` and `csvSource.stream()` treat a record. */
  private record(fields: string[], line: number, badUtf8: boolean): void {
    if (this.info === null) {
      const info = fileInfo(this.file, this.fileIndex, this.format, fields, line, badUtf8);
      this.info = info;
      this.encoder.bind(info.columns, { file: info.file, line: info.headerLine });
      this.lineEncoder = this.lines ? LineEncoder.create(this.encoder.plan(), this.format.delimiter) : null;
      if (this.format.header) return;
    }
    const info = this.info;
    const ref: RowRef = { index: this.index++, file: this.file, fileIndex: this.fileIndex, line };
    const chunk = this.reserve();
    const k = chunk.numSamples;
    const problem = rowProblem(fields, info.columns, badUtf8);
    const label = problem ?? this.encoder.encode(fields, chunk.features, k * this.numFeatures);
    if (typeof label !== "number") {
      this.bad.push({ at: k, row: { fields, ref, info, problem: problem }, problem: label });
      return;
    }
    chunk.labels[k] = label;
    chunk.rows.push(ref);
    chunk.numSamples = k + 1;
  }

  /** The current chunk, grown when it is full. */
  private reserve(): SampleChunk {
    const chunk = this.chunk;
    if (chunk.numSamples < chunk.labels.length) return chunk;
    const grown = allocateChunk(chunk.labels.length * 2, this.numFeatures);
    grown.features.set(chunk.features);
    grown.labels.set(chunk.labels);
    grown.rows = chunk.rows;
    grown.numSamples = chunk.numSamples;
    this.chunk = grown;
    return grown;
  }
}

/** Good samples `[from, to)` of a chunk, sharing its memory. */
function segment(chunk: SampleChunk, from: number, to: number): SampleChunk {
  const f = chunk.numFeatures;
  return {
    numSamples: to - from,
    numFeatures: f,
    features: chunk.features.subarray(from * f, to * f),
    labels: chunk.labels.subarray(from, to),
    rows: from === 0 && to === chunk.rows.length ? chunk.rows : chunk.rows.slice(from, to),
  };
}

/** The good samples in order, with each bad row applied to the policy at its place (which may throw). */
async function* settle(
  taken: { chunk: SampleChunk; bad: BadRow[] },
  tally: RowTally,
  pass: PassCounts,
): AsyncGenerator<SampleChunk> {
  const { chunk, bad } = taken;
  let from = 0;
  for (const { at, row, problem } of bad) {
    if (at > from) {
      for (let i = from; i < at; i++) tally.used(pass);
      yield segment(chunk, from, at);
      from = at;
    }
    await tally.reject(pass, row, problem);
  }
  if (chunk.numSamples > from) {
    for (let i = from; i < chunk.numSamples; i++) tally.used(pass);
    yield segment(chunk, from, chunk.numSamples);
  }
}

/**
 * One pass over `files` in chunks of samples (one chunk per chunk of bytes read, split where
 * bad rows are). Same samples, order, errors and counts as `csvSource(...).stream()`; a pass
 * abandoned midway has read, and counted, up to one chunk of bytes further.
 */
export async function* csvChunks(options: CsvChunksOptions): AsyncGenerator<SampleChunk> {
  const { files, format, schema, tally, rejects } = options;
  const chunkBytes = options.chunkBytes ?? 256 * 1024;
  const maxRecordChars = options.maxRecordChars ?? 16 * 2 ** 20;
  // One encoder per pass, as the per-sample stream has: passes may overlap.
  const encoder = new SchemaEncoder(schema, { requireLabel: options.requireLabel, unseen: tally.unseen });
  const pass = tally.startPass();
  await rejects?.begin();
  try {
    let index = 0;
    let capacity = 1024;
    for (let fileIndex = 0; fileIndex < files.length; fileIndex++) {
      const file = files[fileIndex] as string;
      const chunker = new FileChunker(
        file,
        fileIndex,
        format,
        encoder,
        options.lines ?? true,
        maxRecordChars,
        index,
        capacity,
      );
      const input = bytesOf(file, chunkBytes);
      const reader = (input as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
      let broken: CsvSyntaxError | null = null;
      try {
        for (let done = false; !done; ) {
          try {
            const next = await reader.next();
            done = next.done === true;
            chunker.push(done ? null : next.value);
          } catch (error) {
            if (!(error instanceof CsvSyntaxError)) throw ioError(file, error);
            broken = error;
            done = true;
          }
          // Records before a broken one are still delivered, so counts up to the error are exact.
          yield* settle(chunker.take(), tally, pass);
        }
      } finally {
        input.destroy();
      }
      if (broken !== null) {
        const columns = chunker.info?.columns ?? null;
        throw syntaxError(file, broken.code, broken.column, broken.line, columns, broken) as DataError;
      }
      if (chunker.info === null) {
        throw new DataError({
          code: "empty-file",
          file,
          reason: format.header ? "empty file: expected a header row" : "empty file: no records",
        });
      }
      index = chunker.index;
      capacity = chunker.chunk.labels.length;
    }
  } finally {
    await rejects?.close();
  }
  tally.endPass(pass);
  const where = files.length === 1 ? (files[0] as string) : null;
  if (pass.rowsUsed === 0) {
    throw new DataError({
      code: "no-data",
      file: where,
      reason: `no usable rows: ${pass.rowsRead} read, ${pass.rowsSkipped} skipped, ${pass.rowsQuarantined} quarantined`,
    });
  }
  if (options.numSamples !== null && pass.rowsUsed !== options.numSamples) {
    throw new DataError({
      code: "count-mismatch",
      file: where,
      reason:
        `expected ${options.numSamples} samples per pass (numSamples), read ${pass.rowsUsed} ` +
        `(${pass.rowsRead} rows, ${pass.rowsSkipped + pass.rowsQuarantined} bad): the data changed since it was counted`,
    });
  }
}
