import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { RowRef } from "../types.ts";
import { packIntoOneBuffer, packRows, unpackRows } from "./rows-pack.ts";

const rowRef: fc.Arbitrary<RowRef> = fc.record({
  index: fc.nat(),
  file: fc.option(fc.constantFrom("a.csv", "b.csv", "dir/c.csv"), { nil: null }),
  fileIndex: fc.nat(5),
  line: fc.option(fc.integer({ min: 1, max: 2 ** 40 }), { nil: null }),
});
const padded = rowRef.map((row) => ({ ...row, padding: true as const }));

describe("packRows / unpackRows", () => {
  it("random rows, some padding repeats → the same rows back, in typed arrays on the way", () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(rowRef, rowRef, padded), { maxLength: 40 }), (rows) => {
        const packed = packRows(rows);
        expect(packed.plain).toBeNull();
        expect(unpackRows(structuredClone(packed))).toEqual(rows);
      }),
      { numRuns: 200 },
    );
  });

  it("a row with a field of its own → sent as objects, unchanged", () => {
    const rows = [{ index: 0, file: null, fileIndex: 0, line: null, note: "x" } as RowRef];
    const packed = packRows(rows);
    expect(packed.plain).toEqual(rows);
    expect(unpackRows(packed)).toEqual(rows);
  });

  it("a message's batches packed into one buffer → the same values, all views of that buffer", () => {
    const batches = [0, 1, 2].map((b) => ({
      xs: Float32Array.from({ length: 6 }, (_, i) => b * 10 + i),
      ys: Float32Array.of(b, b + 0.5),
      rows: packRows([
        { index: 2 * b, file: "a.csv", fileIndex: 0, line: 2 * b + 2 },
        { index: 2 * b + 1, file: "b.csv", fileIndex: 1, line: null, padding: true } as RowRef,
      ]),
    }));
    const expected = structuredClone(batches).map((b) => ({ ...b, rows: unpackRows(b.rows) }));
    const buffer = packIntoOneBuffer(batches);
    for (const batch of batches) {
      for (const view of [batch.xs, batch.ys, batch.rows.index, batch.rows.line, batch.rows.padding]) {
        expect(view?.buffer).toBe(buffer);
        expect((view?.byteOffset ?? 0) % 8).toBe(0);
      }
    }
    // As it arrives on the other side of a transfer.
    const arrived = structuredClone(batches, { transfer: [buffer] });
    expect(arrived.map((b) => ({ ...b, rows: unpackRows(b.rows) }))).toEqual(expected);
  });
});
