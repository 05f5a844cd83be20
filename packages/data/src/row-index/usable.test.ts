import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { UsableRows } from "./usable.ts";

describe("UsableRows", () => {
  it("any set of bad rows → sample u is the u-th row not in the set", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 80 }),
        fc.array(fc.nat(), { maxLength: 40 }),
        (numRows, picks) => {
          const bad = [...new Set(picks.map((p) => p % numRows))].sort((a, b) => a - b);
          const usable = new UsableRows(numRows, Float64Array.from(bad));
          const expected = Array.from({ length: numRows }, (_, i) => i).filter((i) => !bad.includes(i));
          expect(usable.numSamples).toBe(expected.length);
          expect(expected.map((_, u) => usable.rowOf(u))).toEqual(expected);
        },
      ),
    );
  });

  it.each([
    [[], 3, 3],
    [[0], 0, 1],
    [[2, 3], 2, 4],
    [[0, 1, 5], 2, 4],
  ])("bad rows %j → sample %i is row %i", (bad, sample, row) => {
    expect(new UsableRows(10, Float64Array.from(bad)).rowOf(sample)).toBe(row);
  });
});
