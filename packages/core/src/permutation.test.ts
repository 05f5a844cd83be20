import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { identityPermutation, passSeed, permutation } from "./permutation.ts";

const orderOf = (numSamples: number, seed: number, pass: number): number[] => {
  const perm = permutation({ numSamples, seed, pass });
  return Array.from({ length: numSamples }, (_, i) => perm.at(i));
};

describe("permutation", () => {
  it("any (N, seed, pass) → a bijection on [0, N) that indexOf inverts", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2000 }),
        fc.maxSafeNat(),
        fc.integer({ min: 0, max: 1e6 }),
        (n, seed, pass) => {
          const perm = permutation({ numSamples: n, seed, pass });
          const seen = new Uint8Array(n);
          for (let i = 0; i < n; i++) {
            const s = perm.at(i);
            expect(s).toBeGreaterThanOrEqual(0);
            expect(s).toBeLessThan(n);
            expect(seen[s]).toBe(0);
            seen[s] = 1;
            expect(perm.indexOf(s)).toBe(i);
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it("same (seed, pass) → same order; another pass or seed → another order", () => {
    expect(orderOf(500, 7, 3)).toEqual(orderOf(500, 7, 3));
    expect(orderOf(500, 7, 3)).not.toEqual(orderOf(500, 7, 4));
    expect(orderOf(500, 7, 3)).not.toEqual(orderOf(500, 8, 3));
    // seeds that differ only above 32 bits still differ
    expect(orderOf(500, 2 ** 40 + 7, 3)).not.toEqual(orderOf(500, 7, 3));
  });

  it("first position over many passes → close to uniform (chi-square, 10 bins)", () => {
    const n = 10;
    const trials = 5000;
    const counts = new Array<number>(n).fill(0);
    for (let pass = 0; pass < trials; pass++) {
      const s = permutation({ numSamples: n, seed: 1, pass }).at(0);
      counts[s] = (counts[s] ?? 0) + 1;
    }
    const expected = trials / n;
    const chi2 = counts.reduce((sum, c) => sum + (c - expected) ** 2 / expected, 0);
    expect(chi2).toBeLessThan(27.88); // p = 0.001 for 9 degrees of freedom
  });

  it("a large N → any position reachable directly, still a bijection locally", () => {
    const n = 10_000_000_019;
    const perm = permutation({ numSamples: n, seed: 3, pass: 2 });
    for (const i of [0, 1, n - 1, 123456789]) expect(perm.indexOf(perm.at(i))).toBe(i);
  });

  it.each([
    [{ numSamples: 0, seed: 1, pass: 0 }, "numSamples must be a positive integer, got 0"],
    [{ numSamples: 10, seed: -1, pass: 0 }, "seed must be a non-negative integer, got -1"],
    [{ numSamples: 10, seed: 1, pass: 0.5 }, "pass must be a non-negative integer, got 0.5"],
    [{ numSamples: 2 ** 52 + 2, seed: 1, pass: 0 }, "numSamples must be at most 2^52"],
  ])("invalid %j → error", (options, message) => {
    expect(() => permutation(options)).toThrow(message);
  });

  it("an index outside [0, N) → error naming the range", () => {
    expect(() => permutation({ numSamples: 5, seed: 1, pass: 0 }).at(5)).toThrow(
      "index must be an integer in [0, 5), got 5",
    );
    expect(() => identityPermutation(5).at(-1)).toThrow("index must be an integer in [0, 5), got -1");
  });

  it("passSeed → deterministic 32-bit seeds that differ by pass", () => {
    expect(passSeed(42, 0)).toBe(passSeed(42, 0));
    const seeds = new Set(Array.from({ length: 100 }, (_, pass) => passSeed(42, pass)));
    expect(seeds.size).toBe(100);
    for (const s of seeds) expect(Number.isInteger(s) && s >= 0 && s < 2 ** 32).toBe(true);
  });
});
