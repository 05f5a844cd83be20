/**
 * Provenance in typed arrays, for crossing a thread boundary: structured clone copies an object
 * per row (about as slow as parsing the row), while these arrays are transferred as they are.
 * Rows with fields beyond RowRef's own (and the padding mark) travel as objects, unchanged.
 */

import { rowOf } from "../provenance.ts";
import type { ChunkProvenance, RowRef } from "../types.ts";

export interface PackedRows {
  count: number;
  index: Float64Array;
  /** NaN for a null line. */
  line: Float64Array;
  fileIndex: Float64Array;
  /** Position in `files`, or -1 for a null file. */
  fileSlot: Int32Array;
  files: string[];
  /** 1 for a padding repeat (`padding: true`); null when no row is one. */
  padding: Uint8Array | null;
  /** The rows themselves when some row carries other fields. */
  plain: RowRef[] | null;
}

/** Own enumerable fields of a packable row: RowRef's four, plus `padding`. */
function packable(row: RowRef): boolean {
  let count = 0;
  for (const key in row) {
    if (key !== "index" && key !== "file" && key !== "fileIndex" && key !== "line" && key !== "padding")
      return false;
    count++;
  }
  return count >= 4;
}

/** Memory for `bytes` bytes: a fresh ArrayBuffer, or a recycled or shared one at least that long. */
export type Allocate = (bytes: number) => ArrayBufferLike;

const fresh: Allocate = (bytes) => new ArrayBuffer(bytes);

export function packRows(rows: readonly RowRef[], allocate: Allocate = fresh): PackedRows {
  const count = rows.length;
  const packed: PackedRows = {
    count,
    index: new Float64Array(allocate(8 * count), 0, count),
    line: new Float64Array(allocate(8 * count), 0, count),
    fileIndex: new Float64Array(allocate(8 * count), 0, count),
    fileSlot: new Int32Array(allocate(4 * count), 0, count),
    files: [],
    padding: null,
    plain: null,
  };
  let lastFile: string | null = null;
  let lastSlot = -1;
  for (let i = 0; i < count; i++) {
    const row = rows[i] as RowRef;
    if (!packable(row)) return { ...packed, plain: [...rows] };
    packed.index[i] = row.index;
    packed.line[i] = row.line ?? Number.NaN;
    packed.fileIndex[i] = row.fileIndex;
    const file = row.file;
    if (file === null) packed.fileSlot[i] = -1;
    else {
      if (file !== lastFile) {
        lastFile = file;
        lastSlot = packed.files.indexOf(file);
        if (lastSlot < 0) lastSlot = packed.files.push(file) - 1;
      }
      packed.fileSlot[i] = lastSlot;
    }
    if ((row as { padding?: unknown }).padding !== undefined) {
      if ((row as { padding?: unknown }).padding !== true) return { ...packed, plain: [...rows] };
      packed.padding ??= new Uint8Array(count);
      packed.padding[i] = 1;
    }
  }
  return packed;
}

/** Packs the provenance of a chunk's first `count` samples (see `ChunkProvenance`), without a RowRef per row. */
export function packProvenance(
  provenance: ChunkProvenance,
  count: number,
  allocate: Allocate = fresh,
): PackedRows {
  const { file, fileIndex } = provenance;
  const index = new Float64Array(allocate(8 * count), 0, count);
  index.set(provenance.index.subarray(0, count));
  const line = new Float64Array(allocate(8 * count), 0, count);
  line.set(provenance.line.subarray(0, count));
  return {
    count,
    index,
    line,
    fileIndex: new Float64Array(allocate(8 * count), 0, count).fill(fileIndex),
    fileSlot: new Int32Array(allocate(4 * count), 0, count).fill(file === null ? -1 : 0),
    files: file === null ? [] : [file],
    padding: null,
    plain: null,
  };
}

export function unpackRows(packed: PackedRows): RowRef[] {
  if (packed.plain !== null) return packed.plain;
  const rows: RowRef[] = new Array(packed.count);
  const { index, line, fileIndex, fileSlot, files, padding } = packed;
  for (let i = 0; i < packed.count; i++) {
    const slot = fileSlot[i] as number;
    const row = rowOf(
      index[i] as number,
      slot < 0 ? null : (files[slot] as string),
      fileIndex[i] as number,
      line[i] as number,
    );
    rows[i] = padding !== null && padding[i] === 1 ? Object.assign(row, { padding: true }) : row;
  }
  return rows;
}

type PackedArray = Float32Array | Float64Array | Int32Array | Uint8Array;

/**
 * Moves the arrays of a message's batches into one new ArrayBuffer (each at an 8-byte aligned
 * offset) and returns it, to transfer once: transferring costs per buffer, and a message of 64
 * batches would otherwise carry 384 of them (measured: about 4 ms to receive on the consumer's
 * thread, 60 µs a batch, more than a small model's training step). The batches' arrays become
 * views into the returned buffer.
 */
export function packIntoOneBuffer(
  batches: { xs: Float32Array; ys: Float32Array; rows: PackedRows }[],
): ArrayBuffer {
  const arrays = (batch: (typeof batches)[number]): PackedArray[] => {
    const { rows } = batch;
    const provenance = rows.plain === null ? [rows.index, rows.line, rows.fileIndex, rows.fileSlot] : [];
    return [batch.xs, batch.ys, ...provenance, ...(rows.padding === null ? [] : [rows.padding])];
  };
  const aligned = (bytes: number) => Math.ceil(bytes / 8) * 8;
  let total = 0;
  for (const batch of batches) for (const array of arrays(batch)) total += aligned(array.byteLength);
  const buffer = new ArrayBuffer(total);
  let offset = 0;
  const move = <T extends PackedArray>(array: T): T => {
    const view = new (array.constructor as new (b: ArrayBuffer, o: number, n: number) => T)(
      buffer,
      offset,
      array.length,
    );
    view.set(array as never);
    offset += aligned(array.byteLength);
    return view;
  };
  for (const batch of batches) {
    batch.xs = move(batch.xs);
    batch.ys = move(batch.ys);
    const { rows } = batch;
    if (rows.plain === null) {
      rows.index = move(rows.index);
      rows.line = move(rows.line);
      rows.fileIndex = move(rows.fileIndex);
      rows.fileSlot = move(rows.fileSlot);
    }
    if (rows.padding !== null) rows.padding = move(rows.padding);
  }
  return buffer;
}
