import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { RowRef } from "../types.ts";
import { packRows, rowBuffers, unpackRows } from "./rows-pack.ts";

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
    expect(rowBuffers(packed)).toEqual([]);
    expect(unpackRows(packed)).toEqual(rows);
  });
});
