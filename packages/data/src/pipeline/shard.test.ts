import { type ShardPolicy, shardLayout, shardPosition } from "@stepwise/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { shardSamples } from "./shard.ts";
import { collect, range, sorted } from "./test-helpers.ts";

const policies: ShardPolicy[] = ["pad", "drop"];

describe("shardSamples (streams)", () => {
  it.each([
    // N, W, policy → each rank's positions (PyTorch DistributedSampler: rank r takes r, r+W, …, padding wraps)
    [
      10,
      3,
      "pad",
      [
        [0, 3, 6, 9],
        [1, 4, 7, 0],
        [2, 5, 8, 1],
      ],
    ],
    [
      10,
      3,
      "drop",
      [
        [0, 3, 6],
        [1, 4, 7],
        [2, 5, 8],
      ],
    ],
    [2, 3, "pad", [[0], [1], [0]]],
    [
      9,
      3,
      "pad",
      [
        [0, 3, 6],
        [1, 4, 7],
        [2, 5, 8],
      ],
    ],
  ] as const)("N=%i over %i ranks, %s → %j", async (numSamples, numShards, policy, expected) => {
    const shares = await Promise.all(
      range(numShards).map((shardIndex) =>
        collect(shardSamples(range(numSamples), shardLayout({ numSamples, numShards, shardIndex, policy }))),
      ),
    );
    expect(shares).toEqual(expected);
  });

  it("pad with a marker → only the wrapped repeats are marked", async () => {
    const layout = (shardIndex: number) =>
      shardLayout({ numSamples: 10, numShards: 3, shardIndex, policy: "pad" });
    const shares = await Promise.all(
      [0, 1, 2].map((r) => collect(shardSamples(range(10), layout(r), (i) => -1 - i))),
    );
    // Ranks 1 and 2 wrap to positions 0 and 1 (see the table above); -1 - i marks them.
    expect(shares).toEqual([
      [0, 3, 6, 9],
      [1, 4, 7, -1],
      [2, 5, 8, -2],
    ]);
  });

  it("any N, W, policy → same samples as core shardPosition over the pass order; equal lengths; pad covers, drop is disjoint", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 8 }),
        fc.constantFrom(...policies),
        fc.nat(),
        async (numSamples, numShards, policy, salt) => {
          fc.pre(policy === "pad" || numShards <= numSamples);
          const order = range(numSamples).map((i) => (i * 7 + salt) % 1000); // any pass order of distinct values
          fc.pre(new Set(order).size === numSamples);
          const shares = await Promise.all(
            range(numShards).map(async (shardIndex) => {
              const layout = shardLayout({ numSamples, numShards, shardIndex, policy });
              const share = await collect(shardSamples(order, layout));
              expect(share).toEqual(
                range(layout.samplesPerShard).map((i) => order[shardPosition(layout, i)]),
              );
              return share;
            }),
          );
          const lengths = new Set(shares.map((s) => s.length));
          expect(lengths.size).toBe(1);
          const all = shares.flat();
          if (policy === "pad") expect(new Set(all)).toEqual(new Set(order));
          else expect(new Set(all).size).toBe(all.length);
        },
      ),
      { numRuns: 80 },
    );
  });

  it("drop → stops reading once this rank's share is complete", async () => {
    let read = 0;
    function* counting() {
      for (let i = 0; i < 10; i++) {
        read++;
        yield i;
      }
    }
    const layout = shardLayout({ numSamples: 10, numShards: 4, shardIndex: 0, policy: "drop" });
    expect(await collect(shardSamples(counting(), layout))).toEqual([0, 4]);
    expect(read).toBe(5);
  });

  it("sorted shares of all ranks under pad → all samples plus exactly paddedSamples repeats", async () => {
    const layout = (shardIndex: number) =>
      shardLayout({ numSamples: 11, numShards: 4, shardIndex, policy: "pad" });
    const all = (await Promise.all(range(4).map((r) => collect(shardSamples(range(11), layout(r)))))).flat();
    expect(all.length - 11).toBe(layout(0).paddedSamples);
    expect([...new Set(sorted(all))]).toEqual(range(11));
  });
});
