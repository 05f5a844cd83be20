import type { RecordSink } from "../csv/record-counter.ts";

const TWO_32 = 2 ** 32;

/**
 * Where every record of one file starts, in 4 bytes per record: the low 32 bits of each offset in
 * a Uint32Array, plus the record numbers where the high part steps up (a file of G GiB has
 * ⌊G/4⌋ of them). Offsets only grow, so that short list recovers the high part exactly; this
 * halves a Float64Array's size, which matters because the index lives in memory for the whole run.
 * Lines are stored the same way: `line = 1 + record + extra`, with `extra` (empty lines and line
 * feeds inside quotes before the record) kept only where it changes, so a plain file costs nothing.
 */
export interface RecordTable {
  /** Records in the file, a header record included. */
  numRecords: number;
  /** Low 32 bits of each record's start offset; length ≥ numRecords. */
  low: Uint32Array;
  /** `highSteps[k]`: the first record whose offset is ≥ (k + 1)·2^32. */
  highSteps: Float64Array;
  /** Pairs (record, extra): from `record` on, `line = 1 + record + extra`. */
  lineMarks: Float64Array;
}

/** Collects a `RecordTable` from a `RecordCounter` scan, growing its arrays by doubling. */
export class TableBuilder implements RecordSink {
  private low = new Uint32Array(1 << 16);
  private count = 0;
  private readonly highSteps: number[] = [];
  private readonly lineMarks: number[] = [];
  private extra = 0;

  record(start: number, line: number): void {
    if (this.count === this.low.length) {
      const grown = new Uint32Array(this.low.length * 2);
      grown.set(this.low);
      this.low = grown;
    }
    while (start >= (this.highSteps.length + 1) * TWO_32) this.highSteps.push(this.count);
    this.low[this.count] = start >>> 0;
    const extra = line - 1 - this.count;
    if (extra !== this.extra) {
      this.lineMarks.push(this.count, extra);
      this.extra = extra;
    }
    this.count++;
  }

  finish(): RecordTable {
    return {
      numRecords: this.count,
      // A copy trimmed to size: the doubling slack would otherwise stay for the whole run.
      low: this.low.slice(0, this.count),
      highSteps: Float64Array.from(this.highSteps),
      lineMarks: Float64Array.from(this.lineMarks),
    };
  }
}

/** Number of values in sorted `values` (read at `stride`) that are ≤ `key`. */
function countAtMost(values: Float64Array, key: number, stride: number): number {
  let lo = 0;
  let hi = values.length / stride;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((values[mid * stride] as number) <= key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Byte offset where record `record` starts. */
export function recordStart(table: RecordTable, record: number): number {
  const low = table.low[record] as number;
  const steps = table.highSteps;
  if (steps.length === 0) return low;
  return low + countAtMost(steps, record, 1) * TWO_32;
}

/** 1-based physical line where record `record` starts. */
export function recordLine(table: RecordTable, record: number): number {
  const marks = table.lineMarks;
  const k = marks.length === 0 ? 0 : countAtMost(marks, record, 2);
  return 1 + record + (k === 0 ? 0 : (marks[(k - 1) * 2 + 1] as number));
}

/** Bytes the table holds in memory. */
export function tableBytes(table: RecordTable): number {
  return table.low.byteLength + table.highSteps.byteLength + table.lineMarks.byteLength;
}
