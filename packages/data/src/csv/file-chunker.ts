// Splits and encodes one file's bytes into chunks of samples: the sweep of the chunked CSV pass
// (see chunks.ts). A LineTaker for the record splitter, so that fast lines and the records the
// splitter keeps are encoded in file order.

import type { RowProblem } from "../errors.ts";
import { ProvenanceChunk } from "../provenance.ts";
import type { SchemaEncoder } from "../schema/encode.ts";
import type { RowRef } from "../types.ts";
import type { ResolvedFormat } from "./format.ts";
import { LineEncoder } from "./line-encoder.ts";
import { type CsvFileInfo, type CsvRow, fileInfo, rowProblem } from "./rows.ts";
import { type LineTaker, RecordSplitter, type SplitRecord } from "./split.ts";
import { Utf8Tracker } from "./utf8.ts";

const LF = 0x0a;

export interface BadRow {
  /** Good samples of the chunk before this row. */
  at: number;
  row: CsvRow;
  problem: RowProblem;
}

/** Categorical columns whose value sample `at` of the chunk encoded as unseen. */
export interface UnseenAt {
  at: number;
  columns: string[];
}

/** What one push of bytes gave: samples, bad rows and unseen categories, each at its place in the order. */
export interface Swept {
  chunk: FileChunk;
  bad: BadRow[];
  unseen: UnseenAt[];
}

/** A chunk of one file's samples, its provenance kept as numbers (see `ChunkProvenance`). */
export class FileChunk extends ProvenanceChunk {
  static allocate(capacity: number, numFeatures: number, file: string, fileIndex: number): FileChunk {
    return new FileChunk(numFeatures, new Float32Array(capacity * numFeatures), new Float64Array(capacity), {
      file,
      fileIndex,
      index: new Float64Array(capacity),
      line: new Float64Array(capacity),
    });
  }

  /** Samples `[from, to)`, sharing this chunk's memory. */
  slice(from: number, to: number): FileChunk {
    if (from === 0 && to === this.numSamples) return this;
    const f = this.numFeatures;
    const { file, fileIndex, index, line } = this.provenance;
    const part = new FileChunk(f, this.features.subarray(from * f, to * f), this.labels.subarray(from, to), {
      file,
      fileIndex,
      index: index.subarray(from, to),
      line: line.subarray(from, to),
    });
    part.numSamples = to - from;
    return part;
  }

  /** Room for `capacity` samples, the samples so far copied over. */
  grown(capacity: number): FileChunk {
    const { file, fileIndex, index, line } = this.provenance;
    const grown = FileChunk.allocate(capacity, this.numFeatures, file as string, fileIndex);
    grown.features.set(this.features);
    grown.labels.set(this.labels);
    grown.provenance.index.set(index);
    grown.provenance.line.set(line);
    grown.numSamples = this.numSamples;
    return grown;
  }
}

/** Reads one file's records into chunks; a `LineTaker` for the splitter. */
export class FileChunker implements LineTaker {
  info: CsvFileInfo | null = null;
  /** Next data row index across files. */
  index: number;
  chunk: FileChunk;
  bad: BadRow[] = [];
  unseen: UnseenAt[] = [];
  readonly tracker = new Utf8Tracker();
  readonly splitter: RecordSplitter;
  private readonly split: SplitRecord[] = [];
  private lineEncoder: LineEncoder | null = null;
  /** The last UTF-8 verdict of a line the line encoder met, which the tracker gives only once. */
  private checkedStart = -1;
  private checkedInvalid = false;
  /** The buffer the splitter is sweeping, and its last line feed. */
  private buffer: Uint8Array | null = null;
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
    this.chunk = FileChunk.allocate(capacity, this.numFeatures, file, fileIndex);
  }

  /** Splits and encodes `bytes` (null: the end of the file); throws `CsvSyntaxError` after keeping the records before it. */
  push(bytes: Uint8Array | null): void {
    this.buffer = null; // read buffers are reused: the last line feed is found again for each push
    // The chunk taken last is done with (see SampleChunk): its memory takes the next rows.
    this.chunk.clear();
    this.bad = [];
    this.unseen = [];
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

  /** The chunk, bad rows and unseen categories of the last `push`. */
  take(): Swept {
    return { chunk: this.chunk, bad: this.bad, unseen: this.unseen };
  }

  line(buf: Uint8Array, start: number, end: number, line: number, offset: number): number {
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
    chunk.provenance.index[k] = this.index++;
    chunk.provenance.line[k] = line;
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
    if (this.encoder.lastUnseen.length > 0)
      this.unseen.push({ at: k, columns: [...this.encoder.lastUnseen] });
    chunk.labels[k] = label;
    chunk.provenance.index[k] = ref.index;
    chunk.provenance.line[k] = line;
    chunk.numSamples = k + 1;
  }

  /** The current chunk, grown when it is full. */
  private reserve(): FileChunk {
    const chunk = this.chunk;
    if (chunk.numSamples < chunk.labels.length) return chunk;
    this.chunk = chunk.grown(chunk.labels.length * 2);
    return this.chunk;
  }
}
