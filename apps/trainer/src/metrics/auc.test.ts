import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { scoreAuc } from "./auc.ts";

/** The definition: over every (positive, negative) pair, 1 when the positive scores higher, 1/2 on a tie. */
function pairwiseAuc(positives: number[], negatives: number[]): number {
  let wins = 0;
  for (const p of positives) for (const n of negatives) wins += p > n ? 1 : p === n ? 0.5 : 0;
  return wins / (positives.length * negatives.length);
}

describe("scoreAuc", () => {
  it("random scores with many ties → equals the brute-force pairwise AUC exactly", () => {
    fc.assert(
      fc.property(
        // Few distinct values, so ties across and within the classes are common.
        fc.array(fc.integer({ min: 0, max: 20 }), { minLength: 1, maxLength: 60 }),
        fc.array(fc.integer({ min: 0, max: 20 }), { minLength: 1, maxLength: 60 }),
        (pos, neg) => {
          const p = pos.map((v) => Math.fround(v / 20));
          const n = neg.map((v) => Math.fround(v / 20));
          expect(scoreAuc(Float32Array.from(p), Float32Array.from(n))).toBe(pairwiseAuc(p, n));
        },
      ),
      { numRuns: 300 },
    );
  });

  it("continuous random scores → equals the brute-force pairwise AUC", () => {
    fc.assert(
      fc.property(
        fc.array(fc.float({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 200 }),
        fc.array(fc.float({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 200 }),
        (pos, neg) => {
          expect(scoreAuc(Float32Array.from(pos), Float32Array.from(neg))).toBe(pairwiseAuc(pos, neg));
        },
      ),
      { numRuns: 200 },
    );
  });

  it("perfect, inverted and all-tied scores → 1, 0 and 0.5", () => {
    expect(scoreAuc(Float32Array.of(0.9, 0.8), Float32Array.of(0.1, 0.2))).toBe(1);
    expect(scoreAuc(Float32Array.of(0.1, 0.2), Float32Array.of(0.9, 0.8))).toBe(0);
    expect(scoreAuc(Float32Array.of(0.5, 0.5), Float32Array.of(0.5))).toBe(0.5);
  });

  it("an empty class or a NaN score → NaN", () => {
    expect(scoreAuc(new Float32Array(0), Float32Array.of(0.1))).toBeNaN();
    expect(scoreAuc(Float32Array.of(0.1), new Float32Array(0))).toBeNaN();
    expect(scoreAuc(Float32Array.of(Number.NaN, 0.3), Float32Array.of(0.1))).toBeNaN();
  });
});
