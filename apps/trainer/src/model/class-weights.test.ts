import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { classWeights } from "./class-weights.ts";

describe("classWeights", () => {
  it("balanced → n / (K · n_c), so every class's weighted sample count is n / K", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 1000 }), { minLength: 2, maxLength: 8 }), (counts) => {
        const names = counts.map((_, i) => String(i));
        const w = classWeights("balanced", counts.length === 2 ? "binary" : "classification", names, counts);
        const n = counts.reduce((a, b) => a + b, 0);
        counts.forEach((count, c) => {
          expect((w[c] as number) * count).toBeCloseTo(n / counts.length, 2);
        });
      }),
      { numRuns: 100 },
    );
  });

  it("balanced with a class of no training samples → that class weighs 1", () => {
    expect(Array.from(classWeights("balanced", "classification", ["a", "b", "c"], [3, 1, 0]))).toEqual([
      Math.fround(4 / 9),
      Math.fround(4 / 3),
      1,
    ]);
  });

  it("pairs by index or by name → those classes weighted, the others 1", () => {
    expect(Array.from(classWeights("0=1,1=4", "binary", ["0", "1"], undefined))).toEqual([1, 4]);
    expect(
      Array.from(
        classWeights("virginica=2.5", "classification", ["setosa", "versicolor", "virginica"], [1, 1, 1]),
      ),
    ).toEqual([1, 1, 2.5]);
    expect(
      Array.from(classWeights("1=3", "classification", ["setosa", "versicolor", "virginica"], undefined)),
    ).toEqual([1, 3, 1]);
  });

  it("an unknown class, a regression label or balanced without counts → UsageError naming the problem", () => {
    expect(() => classWeights("dog=2", "binary", ["cat", "bird"], [1, 1])).toThrow(
      /names class "dog".*0=cat, 1=bird/,
    );
    expect(() => classWeights("balanced", "regression", null, undefined)).toThrow(/regression target/);
    expect(() => classWeights("balanced", "binary", ["0", "1"], undefined)).toThrow(/class counts/);
  });
});
