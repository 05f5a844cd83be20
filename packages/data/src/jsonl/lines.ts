import type { RecordSink } from "../csv/count.ts";

const LF = 0x0a;
const BOM = [0xef, 0xbb, 0xbf];

/** Whether bytes `[start, end)` hold only JSON whitespace (space, tab, CR, LF): such lines are not records. */
export function isBlank(buf: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const b = buf[i] as number;
    if (b !== 0x20 && b !== 0x09 && b !== 0x0d && b !== LF) return false;
  }
  return true;
}

/**
 * Splits a byte stream into JSON Lines records: a record is a line (ended by `\n` or the end of
 * the stream) with any non-blank byte; blank lines are skipped and a leading UTF-8 BOM is not
 * data. JSON escapes every line break inside strings, so a line feed always ends a record, which
 * is what makes a file of JSON Lines indexable by line offsets. `onRecord` gets each record's
 * bytes (a view, valid during the call, without the `\n`), absolute start offset and 1-based line.
 * The row index and the sequential reader both use this class, so they cannot disagree.
 */
export class LineSplitter {
  records = 0;
  private offset = 0;
  private line = 1;
  /** Bytes of the current line from earlier chunks. */
  private carry: Buffer[] = [];
  private carryBytes = 0;
  private first = true;

  constructor(private readonly onRecord: (bytes: Buffer, start: number, line: number) => void) {}

  push(chunk: Uint8Array): void {
    let buf = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
    if (this.first) {
      // A BOM split across chunks is vanishingly rare; only a whole one in the first chunk is removed.
      if (buf.length >= 3 && BOM.every((b, i) => buf[i] === b)) {
        buf = buf.subarray(3);
        this.offset = 3;
      }
      if (buf.length > 0 || this.offset > 0) this.first = false;
    }
    let pos = 0;
    for (let lf = buf.indexOf(LF, pos); lf !== -1; lf = buf.indexOf(LF, pos)) {
      if (this.carryBytes === 0) this.emit(buf.subarray(pos, lf), this.offset + pos);
      else {
        this.carry.push(buf.subarray(pos, lf));
        const start = this.offset - this.carryBytes;
        this.emit(Buffer.concat(this.carry), start);
        this.carry = [];
        this.carryBytes = 0;
      }
      this.line++;
      pos = lf + 1;
    }
    if (pos < buf.length) {
      // A copy: the caller may reuse its buffer for the next chunk.
      this.carry.push(Buffer.from(buf.subarray(pos)));
      this.carryBytes += buf.length - pos;
    }
    this.offset += buf.length;
  }

  /** Ends the stream (a last line without `\n` is a record) and returns the record count. */
  end(): number {
    if (this.carryBytes > 0) {
      this.emit(Buffer.concat(this.carry), this.offset - this.carryBytes);
      this.carry = [];
      this.carryBytes = 0;
    }
    return this.records;
  }

  private emit(bytes: Buffer, start: number): void {
    if (isBlank(bytes, 0, bytes.length)) return;
    this.records++;
    this.onRecord(bytes, start, this.line);
  }
}

/** A `LineSplitter` reporting record starts to a row-index sink: the JSON Lines counterpart of `RecordCounter`. */
export class LineCounter {
  private readonly splitter: LineSplitter;

  constructor(sink: RecordSink | null = null) {
    this.splitter = new LineSplitter((_, start, line) => sink?.record(start, line));
  }

  push(chunk: Uint8Array): void {
    this.splitter.push(chunk);
  }

  end(): number {
    return this.splitter.end();
  }
}
