import { shardLayout, shardPosition } from "@stepwise/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { dealLayout, dealPosition, rebaseAt } from "./deal.ts";

const ranks = (n: number) => Array.from({ length: n }, (_, r) => r);

describe("dealLayout", () => {
  it("passOffset 0 → exactly core's shard layout and positions", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 60 }),
        fc.integer({ min: 1, max: 6 }),
        fc.constantFrom("pad" as const, "drop" as const),
        (numSamples, numShards, policy) => {
          fc.pre(policy === "pad" || numShards <= numSamples);
          for (const shardIndex of ranks(numShards)) {
            const core = shardLayout({ numSamples, numShards, shardIndex, policy });
            const deal = dealLayout({ numSamples, numShards, shardIndex, policy, passOffset: 0 });
            expect(deal.samplesPerShard).toBe(core.samplesPerShard);
            for (let i = 0; i < core.samplesPerShard; i++) {
              expect(dealPosition(deal, i) % numSamples).toBe(shardPosition(core, i));
            }
          }
        },
      ),
    );
  });

  it("any offset and shard count → the rest of the pass is dealt exactly once; padding only repeats earlier positions", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 60 }),
        fc.integer({ min: 1, max: 6 }),
        fc.nat(),
        fc.constantFrom("pad" as const, "drop" as const),
        (numSamples, numShards, offsetSeed, policy) => {
          const passOffset = offsetSeed % numSamples;
          const rest = numSamples - passOffset;
          const seen = new Map<number, number>();
          let padding = 0;
          for (const shardIndex of ranks(numShards)) {
            const layout = dealLayout({ numSamples, numShards, shardIndex, policy, passOffset });
            for (let i = 0; i < layout.samplesPerShard; i++) {
              const position = dealPosition(layout, i);
              if (position >= numSamples) {
                padding++;
                expect(position % numSamples).toBeLessThan(numSamples);
              } else {
                seen.set(position, (seen.get(position) ?? 0) + 1);
              }
            }
          }
          expect([...seen.values()].every((n) => n === 1)).toBe(true);
          expect([...seen.keys()].every((p) => p >= passOffset)).toBe(true);
          if (policy === "pad") {
            expect(seen.size).toBe(rest);
            expect(padding).toBe(Math.ceil(rest / numShards) * numShards - rest);
          } else {
            expect(padding).toBe(0);
            expect(seen.size).toBe(rest - (rest % numShards));
          }
        },
      ),
    );
  });

  it("an offset at or past the end → PipelineError", () => {
    expect(() =>
      dealLayout({ numSamples: 5, numShards: 2, shardIndex: 0, policy: "pad", passOffset: 5 }),
    ).toThrow("passOffset must be below numSamples 5, got 5");
  });
});

describe("rebaseAt", () => {
  it.each([
    // numSamples, numShards, batchSize, dropRemainder, passOffset → firstBatch, steps
    [100, 2, 10, false, 40, 2, 3], // 60 left, 30 per rank, 3 batches
    [100, 3, 10, false, 40, 2, 2], // 60 left, 20 per rank
    [100, 3, 7, false, 40, 2, 3], // 20 per rank → ceil(20/7)
    [100, 3, 7, true, 40, 2, 2], // floor(20/7)
    [10, 4, 1, false, 9, 3, 1], // 1 left: every rank takes one, three of them padding
    [100, 1, 10, false, 0, 0, 10],
  ])(
    "N %i, W %i, B %i, dropRemainder %s, passOffset %i → first batch %i, %i steps",
    (numSamples, numShards, batchSize, dropRemainder, passOffset, firstBatch, steps) => {
      const rebase = rebaseAt(
        { step: 7, pass: 1, passOffset },
        { numSamples, numShards, policy: "pad", batchSize, dropRemainder },
      );
      expect(rebase).toEqual({ step: 7, pass: 1, passOffset, firstBatch, steps });
    },
  );
});
