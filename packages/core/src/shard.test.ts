import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { shardPosition } from "./deal.ts";
import { shardLayout } from "./shard.ts";

describe("shardLayout", () => {
  it.each([
    // N, W, policy, perShard, padded, dropped
    [10, 4, "pad", 3, 2, 0],
    [10, 4, "drop", 2, 0, 2],
    [12, 4, "pad", 3, 0, 0],
    [3, 5, "pad", 1, 2, 0],
  ] as const)("N=%i W=%i %s → %i per shard, %i padded, %i dropped", (n, w, policy, per, padded, dropped) => {
    const layout = shardLayout({ numSamples: n, numShards: w, shardIndex: 0, policy });
    expect([layout.samplesPerShard, layout.paddedSamples, layout.droppedSamples]).toEqual([
      per,
      padded,
      dropped,
    ]);
  });

  it.each([
    [{ numSamples: 10, numShards: 0, shardIndex: 0 }, "numShards must be a positive integer, got 0"],
    [{ numSamples: 10, numShards: 2, shardIndex: 2 }, "shardIndex must be below numShards 2, got 2"],
    [{ numSamples: 10, numShards: 2, shardIndex: -1 }, "shardIndex must be a non-negative integer, got -1"],
    [
      { numSamples: 3, numShards: 4, shardIndex: 0, policy: "drop" as const },
      "numShards 4 exceeds numSamples 3",
    ],
  ])("invalid %j → error", (options, message) => {
    expect(() => shardLayout(options)).toThrow(message);
  });

  const world = fc
    .record({ n: fc.integer({ min: 1, max: 300 }), w: fc.integer({ min: 1, max: 9 }), drop: fc.boolean() })
    .filter(({ n, w, drop }) => !drop || w <= n);

  it("pad → shards are equal, cover every sample, and overlap only by the padding", () => {
    fc.assert(
      fc.property(world, ({ n, w }) => {
        const seen = new Map<number, number>();
        const sizes = new Set<number>();
        for (let r = 0; r < w; r++) {
          const layout = shardLayout({ numSamples: n, numShards: w, shardIndex: r, policy: "pad" });
          sizes.add(layout.samplesPerShard);
          for (let i = 0; i < layout.samplesPerShard; i++) {
            const g = shardPosition(layout, i);
            seen.set(g, (seen.get(g) ?? 0) + 1);
          }
        }
        expect(sizes.size).toBe(1);
        expect(seen.size).toBe(n);
        const repeats = [...seen.values()].reduce((sum, count) => sum + count - 1, 0);
        expect(repeats).toBe(shardLayout({ numSamples: n, numShards: w, shardIndex: 0 }).paddedSamples);
      }),
    );
  });

  it("drop → shards are equal and disjoint, and only the reported count is left out", () => {
    fc.assert(
      fc.property(world, ({ n, w, drop }) => {
        fc.pre(drop);
        const seen = new Set<number>();
        let perShard = 0;
        for (let r = 0; r < w; r++) {
          const layout = shardLayout({ numSamples: n, numShards: w, shardIndex: r, policy: "drop" });
          perShard = layout.samplesPerShard;
          for (let i = 0; i < layout.samplesPerShard; i++) {
            const g = shardPosition(layout, i);
            expect(seen.has(g)).toBe(false);
            seen.add(g);
          }
        }
        expect(seen.size).toBe(perShard * w);
        expect(n - seen.size).toBe(
          shardLayout({ numSamples: n, numShards: w, shardIndex: 0, policy: "drop" }).droppedSamples,
        );
      }),
    );
  });
});
