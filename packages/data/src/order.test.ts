import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { naturalCompare } from "./order.ts";

describe("naturalCompare", () => {
  it.each([
    ["part-2.csv", "part-10.csv", -1],
    ["part-00001.csv", "part-00000.csv", 1],
    ["a.csv", "b.csv", -1],
    ["a1b2", "a1b10", -1],
    ["x", "x", 0],
  ])("%s vs %s → sign %i", (a, b, sign) => {
    expect(Math.sign(naturalCompare(a, b))).toBe(sign);
  });

  it("is a total order: antisymmetric and consistent with equality", () => {
    const name = fc.stringMatching(/^[a-c0-9]{0,6}$/);
    fc.assert(
      fc.property(name, name, (a, b) => {
        expect(Math.sign(naturalCompare(a, b)) + Math.sign(naturalCompare(b, a))).toBe(0);
        expect(naturalCompare(a, b) === 0).toBe(a === b);
      }),
      { numRuns: 300 },
    );
  });
});
