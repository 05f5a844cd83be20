import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Batch, SampleSource } from "../types.ts";
import type { PipelineOptions } from "./api.ts";
import { createPipeline } from "./pipeline.ts";
import {
  collect,
  first,
  memorySource,
  range,
  rowFeatures,
  rowsOf,
  sorted,
  streamSource,
  summary,
} from "./test-helpers.ts";

type Kind = "array" | "stream" | "counted stream";
const KINDS: Kind[] = ["array", "stream", "counted stream"];
// "stream": numSamples unknown (discovered); "counted stream": declared up front.
const sourceOf = (kind: Kind, n: number): SampleSource =>
  kind === "array" ? memorySource(n) : streamSource(n, 2, kind === "counted stream");

async function epochs(options: PipelineOptions): Promise<Batch[][]> {
  const pipeline = await createPipeline(options);
  const out: Batch[][] = [];
  for (let e = pipeline.plan.initialEpoch; e < pipeline.plan.endEpoch; e++)
    out.push(await collect(pipeline.epoch(e)));
  return out;
}

const arbitraryRun = fc.record({
  kind: fc.constantFrom(...KINDS),
  numSamples: fc.integer({ min: 1, max: 40 }),
  batchSize: fc.integer({ min: 1, max: 12 }),
  seed: fc.nat({ max: 2 ** 32 }),
  shuffleBuffer: fc.integer({ min: 1, max: 20 }),
});

describe("createPipeline: epochs", () => {
  it("any source, seed and buffer, no stepsPerEpoch → each epoch is one pass with every sample exactly once", async () => {
    await fc.assert(
      fc.asyncProperty(arbitraryRun, async ({ kind, numSamples, batchSize, seed, shuffleBuffer }) => {
        const all = await epochs({
          source: sourceOf(kind, numSamples),
          batchSize,
          seed,
          shuffleBuffer,
          epochs: 3,
        });
        for (const batches of all) {
          expect(sorted(batches.flatMap(rowsOf))).toEqual(range(numSamples));
          expect(batches.length).toBe(Math.ceil(numSamples / batchSize));
          expect(new Set(batches.map((b) => b.pass)).size).toBe(1);
        }
      }),
      { numRuns: 40 },
    );
  });

  it("any N, B, S, epochs → exactly S batches per epoch, passes intact (each pass's rows once, no batch spans two)", async () => {
    await fc.assert(
      fc.asyncProperty(
        arbitraryRun,
        fc.integer({ min: 1, max: 15 }),
        fc.integer({ min: 1, max: 4 }),
        fc.boolean(),
        async (
          { kind, numSamples, batchSize, seed, shuffleBuffer },
          stepsPerEpoch,
          epochCount,
          dropRemainder,
        ) => {
          fc.pre(!dropRemainder || batchSize <= numSamples);
          const all = await epochs({
            source: sourceOf(kind, numSamples),
            ...{ batchSize, seed, shuffleBuffer, stepsPerEpoch, epochs: epochCount, dropRemainder },
          });
          expect(all.map((e) => e.length)).toEqual(Array(epochCount).fill(stepsPerEpoch));
          const flat = all.flat();
          expect(flat.map((b) => b.step)).toEqual(range(flat.length));
          const perPass = dropRemainder
            ? Math.floor(numSamples / batchSize)
            : Math.ceil(numSamples / batchSize);
          const byPass = new Map<number, number[]>();
          for (const b of flat) {
            expect(b.pass).toBe(Math.floor(b.step / perPass));
            expect(b.batchInPass).toBe(b.step % perPass);
            byPass.set(b.pass, [...(byPass.get(b.pass) ?? []), ...rowsOf(b)]);
          }
          for (const [pass, rows] of byPass) {
            expect(new Set(rows).size).toBe(rows.length); // never a repeat within a pass
            const complete = flat.some((b) => b.pass === pass && b.batchInPass === perPass - 1);
            if (complete) expect(rows.length).toBe(dropRemainder ? perPass * batchSize : numSamples);
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  it("batch contents → features and labels of the rows named in provenance", async () => {
    for (const kind of KINDS) {
      const batches = first(await epochs({ source: sourceOf(kind, 7), batchSize: 3, seed: 2 }));
      for (const b of batches) {
        expect([...b.xs]).toEqual(rowsOf(b).flatMap((i) => rowFeatures(i, 2)));
        expect([...b.ys]).toEqual(rowsOf(b));
      }
    }
  });

  it("same seed → same batches; another seed or another pass → another order", async () => {
    for (const kind of KINDS) {
      const run = (seed: number) => epochs({ source: sourceOf(kind, 50), batchSize: 50, seed, epochs: 2 });
      const [a, b, c] = [await run(11), await run(11), await run(12)];
      expect(a.map(summary)).toEqual(b.map(summary));
      expect(rowsOf(first(first(a)))).not.toEqual(rowsOf(first(first(c))));
      expect(rowsOf(first(first(a)))).not.toEqual(rowsOf(first(a[1] ?? []))); // pass 0 vs pass 1
    }
  });

  it("shuffle none → source order every pass", async () => {
    const [e0, e1] = await epochs({ source: memorySource(5), batchSize: 2, shuffle: "none", epochs: 2 });
    expect((e0 ?? []).flatMap(rowsOf)).toEqual(range(5));
    expect((e1 ?? []).flatMap(rowsOf)).toEqual(range(5));
  });

  it("stop policy, 10 batches per pass, S=9, 4 epochs → Keras 3's 9, 1, 9, 1 steps, each pass read whole", async () => {
    for (const kind of KINDS) {
      const all = await epochs({
        source: sourceOf(kind, 100),
        batchSize: 10,
        seed: 1,
        stepsPerEpoch: 9,
        epochs: 4,
        onExhausted: "stop",
      });
      expect(all.map((e) => e.length)).toEqual([9, 1, 9, 1]);
      expect(all.map((e) => e.map((b) => b.pass))).toEqual([Array(9).fill(0), [0], Array(9).fill(1), [1]]);
      expect(sorted([...(all[0] ?? []), ...(all[1] ?? [])].flatMap(rowsOf))).toEqual(range(100));
    }
  });

  it("repeat policy, S=9 over 10-batch passes → epoch 1 spans the pass boundary", async () => {
    const all = await epochs({
      source: memorySource(100),
      batchSize: 10,
      seed: 1,
      stepsPerEpoch: 9,
      epochs: 2,
    });
    expect((all[1] ?? []).map((b) => [b.pass, b.batchInPass])).toEqual([
      [0, 9],
      ...range(8).map((i) => [1, i]),
    ]);
    expect((all[1] ?? []).map((b) => b.stepInEpoch)).toEqual(range(9));
  });

  it("stream with unknown numSamples → first pass discovers N and the plan fills in (rule 6)", async () => {
    const source = streamSource(25);
    const pipeline = await createPipeline({ source, batchSize: 10, seed: 3, count: "never", epochs: 2 });
    expect(pipeline.numSamples).toBeNull();
    expect(pipeline.plan.stepsPerPass).toBeNull();
    expect((await collect(pipeline.epoch(0))).length).toBe(3);
    expect(pipeline.numSamples).toBe(25);
    expect(pipeline.plan.stepsPerPass).toBe(3);
    expect(source.passes).toBe(1);
  });

  it("count always → a stream without a cheap count is counted before the plan", async () => {
    const pipeline = await createPipeline({
      source: streamSource(25),
      batchSize: 10,
      seed: 3,
      count: "always",
    });
    expect(pipeline.plan.stepsPerPass).toBe(3);
  });

  it("a source with count() → counted up front by default", async () => {
    const source = Object.assign(streamSource(25), { count: async () => 25 });
    const pipeline = await createPipeline({ source, batchSize: 10, seed: 3 });
    expect(pipeline.plan.numSamples).toBe(25);
    expect(source.passes).toBe(0);
  });

  it("no seed → one is chosen, reported in warnings and recorded in the state", async () => {
    const pipeline = await createPipeline({ source: memorySource(5), batchSize: 2 });
    expect(pipeline.warnings.join("\n")).toContain(`chose seed ${pipeline.seed}`);
    expect(pipeline.getState().seed).toBe(pipeline.seed);
  });

  it("an epoch iterator left open and a later epoch() → the old iterator fails instead of sharing the data", async () => {
    const pipeline = await createPipeline({ source: memorySource(20), batchSize: 2, seed: 1, epochs: 2 });
    const first = pipeline.epoch(0)[Symbol.asyncIterator]();
    await first.next();
    expect((await collect(pipeline.epoch(1))).length).toBe(10);
    await expect(first.next()).rejects.toThrow("a later epoch() call took over");
  });
});

describe("createPipeline: bad options", () => {
  it.each<[string, Partial<PipelineOptions>, string]>([
    [
      "an unknown shuffle",
      { shuffle: "random" as never },
      "shuffle must be one of auto, permutation, buffer, none",
    ],
    [
      "permutation on a stream",
      { source: streamSource(5), shuffle: "permutation" },
      "needs a random-access source",
    ],
    ["shuffleBuffer 0", { shuffleBuffer: 0 }, "shuffleBuffer must be a positive integer, got 0"],
    ["a negative seed", { seed: -1 }, "seed must be a non-negative integer, got -1"],
    ["an unknown count mode", { count: "sometimes" as never }, "count must be one of cheap, always, never"],
    ["batchSize 0", { batchSize: 0 }, "batchSize must be a positive integer, got 0"],
  ])("%s → error naming the option", async (_, bad, message) => {
    await expect(createPipeline({ source: memorySource(5), batchSize: 2, seed: 1, ...bad })).rejects.toThrow(
      message,
    );
  });
});

describe("createPipeline: initialEpoch (rule 5)", () => {
  it("any source, S, initialEpoch → the same batches as the uninterrupted run from step initialEpoch·S", async () => {
    await fc.assert(
      fc.asyncProperty(
        arbitraryRun,
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 1, max: 3 }),
        fc.constantFrom("repeat" as const, "stop" as const),
        async (
          { kind, numSamples, batchSize, seed, shuffleBuffer },
          stepsPerEpoch,
          initialEpoch,
          onExhausted,
        ) => {
          const options = {
            batchSize,
            seed,
            shuffleBuffer,
            stepsPerEpoch,
            onExhausted,
            epochs: initialEpoch + 2,
          };
          const full = await epochs({ source: sourceOf(kind, numSamples), ...options });
          const resumed = await epochs({ source: sourceOf(kind, numSamples), ...options, initialEpoch });
          expect(resumed.map(summary)).toEqual(full.slice(initialEpoch).map(summary));
        },
      ),
      { numRuns: 30 },
    );
  });

  it("array source, initialEpoch 3 → starts at step 3·S", async () => {
    const pipeline = await createPipeline({
      source: memorySource(30),
      batchSize: 4,
      seed: 1,
      stepsPerEpoch: 5,
      epochs: 4,
      initialEpoch: 3,
    });
    expect(pipeline.position).toEqual({ step: 15, epoch: 3, stepInEpoch: 0 });
    expect((await collect(pipeline.batches())).map((b) => b.step)).toEqual(range(5).map((i) => 15 + i));
  });
});

describe("createPipeline: sharding (rule 7)", () => {
  it("any N, ranks, policy → equal steps on every rank; pad covers every sample, drop is disjoint", async () => {
    await fc.assert(
      fc.asyncProperty(
        arbitraryRun,
        fc.integer({ min: 1, max: 5 }),
        fc.constantFrom("pad" as const, "drop" as const),
        async ({ kind, numSamples, batchSize, seed, shuffleBuffer }, numShards, shardPolicy) => {
          fc.pre(shardPolicy === "pad" || numShards <= numSamples);
          const ranks = await Promise.all(
            range(numShards).map((shardIndex) =>
              epochs({
                source: sourceOf(kind, numSamples),
                batchSize,
                seed,
                shuffleBuffer,
                numShards,
                shardIndex,
                shardPolicy,
              }),
            ),
          );
          expect(new Set(ranks.map((r) => first(r).length)).size).toBe(1);
          const rows = ranks.flatMap((r) => first(r).flatMap(rowsOf));
          if (shardPolicy === "pad") {
            expect(new Set(rows)).toEqual(new Set(range(numSamples)));
            expect(rows.length).toBe(Math.ceil(numSamples / numShards) * numShards);
          } else {
            expect(new Set(rows).size).toBe(rows.length);
            expect(rows.length).toBe(Math.floor(numSamples / numShards) * numShards);
          }
        },
      ),
      { numRuns: 30 },
    );
  });
});
