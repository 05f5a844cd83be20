import { permutation, shardLayout } from "@stepwise/core";
import { describe, expect, it } from "vitest";
import { PipelineError } from "./errors.ts";
import { passSamples } from "./pass.ts";
import type { PassStats } from "./pass-options.ts";
import { collect, memorySource, range, sorted, streamSource } from "./test-helpers.ts";

const base = { seed: 5, pass: 2, shuffleBuffer: 8, shard: null };
const indices = async (
  source: Parameters<typeof passSamples>[0],
  options: Parameters<typeof passSamples>[1],
) => (await collect(passSamples(source, options))).map((s) => s.source.index);

describe("passSamples", () => {
  it("random access + permutation → core permutation order of (seed, pass)", async () => {
    const order = permutation({ numSamples: 20, seed: 5, pass: 2 });
    expect(await indices(memorySource(20), { ...base, shuffle: "permutation" })).toEqual(
      range(20).map((i) => order.at(i)),
    );
  });

  it.each(["permutation", "buffer", "none"] as const)(
    "%s with start k → the full pass order without its first k",
    async (shuffle) => {
      const source = shuffle === "permutation" ? memorySource(23) : streamSource(23);
      const full = await indices(source, { ...base, shuffle });
      expect(await indices(source, { ...base, shuffle, start: 9 })).toEqual(full.slice(9));
    },
  );

  it("stream + buffer + shard → the rank's positions of the shuffled pass", async () => {
    const full = await indices(streamSource(10), { ...base, shuffle: "buffer" });
    const shard = shardLayout({ numSamples: 10, numShards: 3, shardIndex: 1 });
    expect(await indices(streamSource(10), { ...base, shuffle: "buffer", shard })).toEqual(
      [1, 4, 7, 0].map((p) => full[p]),
    );
  });

  it("stream pass → stats count the samples read and mark the end", async () => {
    const stats: PassStats = { samplesRead: 0, complete: false };
    const out = await indices(streamSource(13), { ...base, shuffle: "buffer", stats });
    expect(sorted(out)).toEqual(range(13));
    expect(stats).toEqual({ samplesRead: 13, complete: true });
  });

  it("stream shorter than the expected numSamples → SourceError", async () => {
    await expect(indices(streamSource(5), { ...base, shuffle: "none", numSamples: 6 })).rejects.toThrow(
      "pass 2 yielded 5 samples, the source declared 6",
    );
  });

  it("permutation on a stream → PipelineError", () => {
    expect(() => passSamples(streamSource(5), { ...base, shuffle: "permutation" })).toThrow(PipelineError);
  });
});
