import { searchable } from "#platform";
import { concatBytes } from "../bytes/bytes.ts";

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;
const BOM = [0xef, 0xbb, 0xbf];

/** Receives every record the counter finds, in order: how the row index learns where rows are. */
export interface RecordSink {
  /** `start`: absolute byte offset of the record's first byte; `line`: 1-based physical line where it starts. */
  record(start: number, line: number): void;
}

/**
 * Counts CSV records in a byte stream the way csv-parse splits them (records end at `\n` or
 * `\r\n` outside quotes; empty lines and a UTF-8 BOM are not data), without decoding or
 * splitting fields. Hand-written because it is the product's own hot path: it jumps between
 * quotes and line feeds with a native `indexOf` (memchr on Node, several GB/s) instead of a
 * per-byte JavaScript loop (about 0.7 GB/s). Assumes well-formed quoting, where a quote toggles
 * the quoted state (`""` inside quotes closes and reopens); the reader reports broken quotes.
 * With a `sink`, it also reports where each record starts (byte offset and line), at the same
 * speed class: the row index is built by this very scan, so counting and indexing cannot disagree.
 */
export class RecordCounter {
  records = 0;
  private inQuote = false;
  /** Absolute offset of the next byte to scan (a skipped BOM included). */
  private offset = 0;
  /** Line feeds seen so far, quoted ones included; kept only with a sink. */
  private lineFeeds = 0;
  /** 1-based line where the current record starts; kept only with a sink. */
  private startLine = 1;
  /** Bytes of the current record since its last line feed (outside or inside quotes). */
  private lineBytes = 0;
  /** Last byte seen, for a one-byte line split from its `\n` by a chunk boundary. */
  private lastByte = -1;
  /** Leading bytes held back until a possible BOM can be recognised. */
  private head: number[] | null = [];

  constructor(private readonly sink: RecordSink | null = null) {}

  push(chunk: Uint8Array): void {
    if (this.head !== null) {
      if (this.head.length + chunk.length < BOM.length) {
        this.head.push(...chunk);
        return;
      }
      const start = [...this.head, ...chunk.subarray(0, BOM.length)];
      const skip = BOM.every((byte, i) => start[i] === byte) ? BOM.length : 0;
      const held = Uint8Array.from(this.head);
      this.head = null;
      const joined = concatBytes(held, chunk);
      this.offset += skip;
      this.scan(searchable(joined.subarray(skip)));
      return;
    }
    this.scan(searchable(chunk));
  }

  /** Ends the stream and returns the record count; a final line without `\n` counts when it has any byte. */
  end(): number {
    if (this.head !== null) {
      const rest = this.head;
      this.head = null;
      // Too short for a whole BOM: csv-parse then reads the bytes as they are.
      this.scan(searchable(Uint8Array.from(rest)));
    }
    if (this.inQuote || this.lineBytes > 0) {
      this.records++;
      this.sink?.record(this.offset - this.lineBytes, this.startLine);
    }
    this.inQuote = false;
    this.lineBytes = 0;
    return this.records;
  }

  private scan(buf: Uint8Array): void {
    const n = buf.length;
    if (n === 0) return;
    const sink = this.sink;
    let pos = 0;
    let nextQuote = -1;
    let nextLf = -1;
    while (pos < n) {
      if (this.inQuote) {
        const close = buf.indexOf(QUOTE, pos);
        if (sink !== null) this.countQuotedLineFeeds(buf, pos, close === -1 ? n : close);
        if (close === -1) {
          this.lineBytes += n - pos;
          break;
        }
        this.inQuote = false;
        this.lineBytes += close + 1 - pos;
        pos = close + 1;
        continue;
      }
      if (nextQuote < pos) {
        nextQuote = buf.indexOf(QUOTE, pos);
        if (nextQuote === -1) nextQuote = n;
      }
      if (nextLf < pos) {
        nextLf = buf.indexOf(LF, pos);
        if (nextLf === -1) nextLf = n;
      }
      while (nextLf < nextQuote) {
        const length = this.lineBytes + (nextLf - pos);
        // An empty line is nothing, or a lone `\r` before the `\n` (csv-parse skips both).
        if (length > 1 || (length === 1 && (nextLf > pos ? buf[nextLf - 1] : this.lastByte) !== CR)) {
          this.records++;
          if (sink !== null) sink.record(this.offset + nextLf - length, this.startLine);
        }
        if (sink !== null) this.startLine = ++this.lineFeeds + 1;
        this.lineBytes = 0;
        pos = nextLf + 1;
        nextLf = buf.indexOf(LF, pos);
        if (nextLf === -1) nextLf = n;
      }
      if (nextQuote >= n) {
        this.lineBytes += n - pos;
        break;
      }
      this.inQuote = true;
      this.lineBytes += nextQuote + 1 - pos;
      pos = nextQuote + 1;
    }
    this.lastByte = buf[n - 1] as number;
    this.offset += n;
  }

  /** Line feeds inside a quoted field move lines but never end a record. */
  private countQuotedLineFeeds(buf: Uint8Array, from: number, to: number): void {
    for (let at = buf.indexOf(LF, from); at !== -1 && at < to; at = buf.indexOf(LF, at + 1)) this.lineFeeds++;
  }
}
