import { DataError } from "../errors.ts";
import type { RowIndex } from "./row-index.ts";

/** Rows closer than this in a file are read together: copying the gap costs less than another read. */
export const COALESCE_GAP_BYTES = 32 * 1024;

/** Keeps up to `keep` released items for reuse, so blocks after the first allocate nothing. */
export class Recycler<T extends { capacity: number }> {
  private readonly free: T[] = [];

  constructor(
    private readonly make: (capacity: number) => T,
    private readonly keep: number,
  ) {}

  take(capacity: number): T {
    const index = this.free.findIndex((item) => item.capacity >= capacity);
    if (index >= 0) return this.free.splice(index, 1)[0] as T;
    return this.make(capacity);
  }

  give(item: T): void {
    if (this.free.length < this.keep) this.free.push(item);
  }
}

/**
 * One block's rows sorted by row number (hence by file and offset), per sorted slot: the output
 * position, row, file, byte range and line; and the reads, slots `[firstSlot[k], firstSlot[k + 1])`.
 */
export interface ReadLayout {
  capacity: number;
  position: Int32Array;
  row: Float64Array;
  file: Int32Array;
  start: Float64Array;
  end: Float64Array;
  line: Float64Array;
  keys: Float64Array;
  firstSlot: number[];
}

export function newLayout(capacity: number): ReadLayout {
  return {
    capacity,
    position: new Int32Array(capacity),
    row: new Float64Array(capacity),
    file: new Int32Array(capacity),
    start: new Float64Array(capacity),
    end: new Float64Array(capacity),
    line: new Float64Array(capacity),
    keys: new Float64Array(capacity),
    firstSlot: [],
  };
}

/**
 * Fills `layout.position` and `layout.row` with the block's output positions and rows, sorted by
 * row. Packing (row, position) into one float and sorting a Float64Array natively is several
 * times faster than a comparator sort, and needs no array of rows besides.
 */
function sortRows(
  indices: ArrayLike<number>,
  rowOf: (sample: number) => number,
  numRows: number,
  layout: ReadLayout,
): void {
  const count = indices.length;
  if (numRows * count < 2 ** 53) {
    const keys = layout.keys.subarray(0, count);
    for (let i = 0; i < count; i++) keys[i] = rowOf(indices[i] as number) * count + i;
    keys.sort();
    for (let s = 0; s < count; s++) {
      const key = keys[s] as number;
      const position = key % count;
      layout.position[s] = position;
      layout.row[s] = (key - position) / count;
    }
    return;
  }
  const rows = Array.from({ length: count }, (_, i) => rowOf(indices[i] as number));
  const order = Array.from({ length: count }, (_, i) => i).sort(
    (a, b) => (rows[a] as number) - (rows[b] as number),
  );
  order.forEach((position, s) => {
    layout.position[s] = position;
    layout.row[s] = rows[position] as number;
  });
}

/**
 * Lays out a block for reading: the rows of samples `indices` (`rowOf` maps a sample to its global
 * row) sorted, located through the index, grouped into reads of at most `readBytes` whose rows lie
 * within `COALESCE_GAP_BYTES` of each other. Throws `DataError` for a row outside the index or
 * longer than `maxRecordBytes`.
 */
export function layOut(
  indices: ArrayLike<number>,
  rowOf: (sample: number) => number,
  index: RowIndex,
  layout: ReadLayout,
  limits: { readBytes: number; maxRecordBytes: number },
): ReadLayout {
  const count = indices.length;
  sortRows(indices, rowOf, index.numRows, layout);
  layout.firstSlot.length = 0;
  let f = 0;
  for (let s = 0; s < count; s++) {
    const row = layout.row[s] as number;
    if (!(Number.isSafeInteger(row) && row >= 0 && row < index.numRows)) {
      throw new DataError({
        code: "options",
        reason: `row must be an integer in [0, ${index.numRows}), got ${row}`,
      });
    }
    while (row >= index.firstRowOf(f + 1)) f++;
    const range = index.rowRange(f, row - index.firstRowOf(f));
    if (range.end - range.start > limits.maxRecordBytes + COALESCE_GAP_BYTES) {
      throw new DataError({
        code: "record-too-long",
        file: index.files[f] as string,
        line: range.line,
        reason: "record exceeds the maximum record size (an unterminated quote?)",
      });
    }
    layout.file[s] = f;
    layout.start[s] = range.start;
    layout.end[s] = range.end;
    layout.line[s] = range.line;
    const first = layout.firstSlot.length === 0 ? -1 : (layout.firstSlot.at(-1) as number);
    const joins =
      first >= 0 &&
      layout.file[first] === f &&
      range.start - (layout.end[s - 1] as number) <= COALESCE_GAP_BYTES &&
      range.end - (layout.start[first] as number) <= limits.readBytes;
    if (!joins) layout.firstSlot.push(s);
  }
  layout.firstSlot.push(count);
  return layout;
}
