import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { blockSizes } from "./block.ts";

describe("blockSizes", () => {
  it.each([
    // numSamples, blockSamples, first → block lengths
    [10, 4, 1, [1, 2, 4, 3]],
    [10, 100, 4, [4, 6]],
    [1_000_000, 262_144, 4096, [4096, 8192, 16384, 32768, 65536, 131072, 262144, 262144, 217664]],
    [3, 1, 4096, [1, 1, 1]],
    [0, 8, 2, []],
  ])("%i samples, blocks of at most %i from %i → %j", (numSamples, blockSamples, first, expected) => {
    expect(blockSizes(numSamples, blockSamples, first)).toEqual(expected);
  });

  it("any sizes → blocks cover the samples exactly, never above blockSamples, each at most twice the one before", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 100_000 }),
        fc.integer({ min: 1, max: 5_000 }),
        fc.integer({ min: 1, max: 5_000 }),
        (numSamples, blockSamples, first) => {
          const sizes = blockSizes(numSamples, blockSamples, first);
          expect(sizes.reduce((a, b) => a + b, 0)).toBe(numSamples);
          const bad = sizes.findIndex(
            (size, i) => size < 1 || size > blockSamples || (i > 0 && size > 2 * (sizes[i - 1] as number)),
          );
          expect(bad).toBe(-1);
        },
      ),
    );
  });
});
