import { shardLayout } from "@stepwise/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { ChunkedSource, Sample, SampleChunk, SampleSource } from "../types.ts";
import { batchSamples } from "./batch.ts";
import { hasChunks } from "./chunk.ts";
import { passSamples } from "./pass.ts";
import type { PassSamplesOptions, PassStats } from "./pass-options.ts";
import { rowFeatures } from "./test-helpers.ts";

/** Rows 0..n-1 (features name their row), as a stream and as chunks of the given sizes (cycled). */
function chunkedSource(
  n: number,
  numFeatures: number,
  sizes: number[],
  declared: number | null,
): ChunkedSource {
  const sample = (i: number): Sample => ({
    features: Float32Array.from(rowFeatures(i, numFeatures)),
    label: i,
    source: { index: i, file: null, fileIndex: 0, line: i + 2 },
  });
  return {
    numFeatures,
    numSamples: declared,
    async *stream() {
      for (let i = 0; i < n; i++) yield sample(i);
    },
    async *chunks() {
      let reused: SampleChunk | null = null; // producers may reuse a chunk's memory (see SampleChunk)
      for (let i = 0, k = 0; i < n; k++) {
        const size = Math.min(n - i, Math.max(1, sizes[k % sizes.length] as number));
        if (reused === null || reused.labels.length < size) {
          reused = {
            numSamples: 0,
            numFeatures,
            features: new Float32Array(size * numFeatures),
            labels: new Float64Array(size),
            rows: [],
          };
        }
        const chunk: SampleChunk = { ...reused, numSamples: size, rows: [] };
        for (let j = 0; j < size; j++) {
          const s = sample(i + j);
          chunk.features.set(s.features, j * numFeatures);
          chunk.labels[j] = s.label;
          chunk.rows.push(s.source);
        }
        i += size;
        yield chunk;
      }
    },
  };
}

/** The same source without `chunks`: the per-sample reference path. */
const perSample = (source: ChunkedSource): SampleSource => ({
  numFeatures: source.numFeatures,
  numSamples: source.numSamples,
  stream: () => source.stream(),
});

async function drain(items: Iterable<Sample> | AsyncIterable<Sample>) {
  const seen: [number, number[]][] = [];
  try {
    for await (const s of items) seen.push([s.source.index, [...s.features]]);
    return { seen, error: null };
  } catch (error) {
    return { seen, error: (error as Error).message };
  }
}

async function drainBatches(
  items: Iterable<Sample> | AsyncIterable<Sample>,
  batchSize: number,
  numFeatures: number,
) {
  const seen: [number[], number[], number[]][] = [];
  try {
    for await (const b of batchSamples(items, { batchSize, numFeatures })) {
      seen.push([b.rows.map((r) => r.index), [...b.xs], [...b.ys]]);
    }
    return { seen, error: null };
  } catch (error) {
    return { seen, error: (error as Error).message };
  }
}

const passCase = fc
  .record({
    n: fc.integer({ min: 1, max: 60 }),
    numFeatures: fc.integer({ min: 1, max: 3 }),
    sizes: fc.array(fc.integer({ min: 1, max: 17 }), { minLength: 1, maxLength: 4 }),
    declare: fc.constantFrom("exact", "exact", "none", "fewer", "more"),
    shuffle: fc.constantFrom("buffer", "buffer", "none") as fc.Arbitrary<"buffer" | "none">,
    shuffleBuffer: fc.integer({ min: 1, max: 25 }),
    seed: fc.nat(1000),
    pass: fc.nat(3),
    numShards: fc.integer({ min: 1, max: 3 }),
    shardIndex: fc.nat(2),
    policy: fc.constantFrom("pad", "drop") as fc.Arbitrary<"pad" | "drop">,
    start: fc.nat(20),
    batchSize: fc.integer({ min: 1, max: 7 }),
  })
  .map((c) => {
    const declared =
      c.declare === "none"
        ? null
        : c.declare === "exact"
          ? c.n
          : c.declare === "fewer"
            ? Math.max(1, c.n - 2)
            : c.n + 2;
    const shard =
      c.numShards > 1 && declared !== null && declared >= c.numShards
        ? shardLayout({
            numSamples: declared,
            numShards: c.numShards,
            shardIndex: c.shardIndex % c.numShards,
            policy: c.policy,
          })
        : null;
    return { ...c, declared, shard };
  });

type PassCase = typeof passCase extends fc.Arbitrary<infer T> ? T : never;

function options(c: PassCase, stats: PassStats): PassSamplesOptions {
  return {
    seed: c.seed,
    pass: c.pass,
    shuffle: c.shuffle,
    shuffleBuffer: c.shuffleBuffer,
    shard: c.shard,
    start: c.start % (c.n + 1),
    stats,
  };
}

describe("chunked stream pass = per-sample stream pass", () => {
  it("random sources, chunk sizes, shuffles, shards, starts and wrong counts → same samples in the same order, same error after them, same stats", async () => {
    await fc.assert(
      fc.asyncProperty(passCase, async (c) => {
        const source = chunkedSource(c.n, c.numFeatures, c.sizes, c.declared);
        const statsA: PassStats = { samplesRead: 0, complete: false };
        const statsB: PassStats = { samplesRead: 0, complete: false };
        const fast = passSamples(source, options(c, statsA));
        expect(hasChunks(fast)).toBe(true);
        const reference = await drain(passSamples(perSample(source), options(c, statsB)));
        expect(await drain(fast)).toEqual(reference);
        if (c.shard === null) expect(statsA).toEqual(statsB); // a shard stops reading once it has its share
        const batches = await drainBatches(
          passSamples(source, options(c, statsA)),
          c.batchSize,
          c.numFeatures,
        );
        const referenceBatches = await drainBatches(
          passSamples(perSample(source), options(c, statsB)),
          c.batchSize,
          c.numFeatures,
        );
        expect(batches).toEqual(referenceBatches);
      }),
      { numRuns: 400 },
    );
  });

  it("chunks of the wrong width → the per-sample path's SourceError, naming the first row", async () => {
    const source = chunkedSource(3, 2, [2], 3);
    const pass = { seed: 1, pass: 0, shuffle: "none" as const, shuffleBuffer: 1, shard: null };
    const fast = await drainBatches(passSamples(source, pass), 2, 3);
    expect(fast).toEqual(await drainBatches(passSamples(perSample(source), pass), 2, 3));
    expect(fast.error).toBe("row 0: expected 3 features, got 2");
  });
});
