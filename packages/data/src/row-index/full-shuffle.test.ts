import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { PipelineOptions } from "../pipeline/api.ts";
import { isPadding } from "../pipeline/block.ts";
import { PipelineError } from "../pipeline/errors.ts";
import { createPipeline } from "../pipeline/pipeline.ts";
import type { IndexedPipelineState, PipelineState } from "../pipeline/state.ts";
import { collect, memorySource, summary } from "../pipeline/test-helpers.ts";
import type { Batch } from "../types.ts";
import { type IndexedCsvSource, openIndexedCsv } from "./source.ts";
import { numericCsv, numericSchema, tempDir, writeCsv } from "./test-helpers.ts";

const dir = tempDir();
const opened = new Map<number, Promise<IndexedCsvSource>>();
/** An indexed file of `numSamples` rows (row i has label i); a small budget so passes span several blocks. */
function indexed(numSamples: number): Promise<IndexedCsvSource> {
  let source = opened.get(numSamples);
  if (source === undefined) {
    source = writeCsv(dir, `rows-${numSamples}.csv`, numericCsv(numSamples)).then((path) =>
      openIndexedCsv({ paths: path, schema: numericSchema(), memoryBudget: 270 * 1024, cache: false }),
    );
    opened.set(numSamples, source);
  }
  return source;
}

const visits = (batches: Batch[]) =>
  batches.flatMap((b) => b.rows.filter((r) => !isPadding(r)).map((r) => r.index));
const paddings = (batches: Batch[]) => batches.flatMap((b) => b.rows.filter(isPadding).map((r) => r.index));
const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const sorted = (values: number[]) => [...values].sort((a, b) => a - b);

/** Batches of every rank for the first `passes` passes. */
async function allRanks(numSamples: number, options: Omit<PipelineOptions, "source">, numShards: number) {
  const source = await indexed(numSamples);
  return Promise.all(
    range(numShards).map(async (shardIndex) =>
      collect((await createPipeline({ ...options, source, numShards, shardIndex })).batches()),
    ),
  );
}

describe("shuffle full on an indexed file", () => {
  it("any rows, seed, pass, batch size and shard count → each row exactly once per pass over all ranks, padding counted", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 6 }),
        fc.nat(),
        async (numSamples, numShards, batchSize, seed) => {
          const ranks = await allRanks(
            numSamples,
            { batchSize, seed, shuffle: "full", epochs: 3 },
            numShards,
          );
          for (const pass of [0, 1, 2]) {
            const inPass = ranks.map((batches) => batches.filter((b) => b.pass === pass));
            expect(sorted(inPass.flatMap(visits))).toEqual(range(numSamples));
            expect(inPass.flatMap(paddings)).toHaveLength(
              Math.ceil(numSamples / numShards) * numShards - numSamples,
            );
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  it("same seed and shards → the same order as an exact permutation of the same rows in memory", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 3 }),
        fc.nat(),
        async (numSamples, numShards, seed) => {
          const options = { batchSize: 4, seed, epochs: 2, numShards, shardIndex: numShards - 1 };
          const file = await collect(
            (
              await createPipeline({ ...options, source: await indexed(numSamples), shuffle: "full" })
            ).batches(),
          );
          const memory = await collect(
            (
              await createPipeline({ ...options, source: memorySource(numSamples), shuffle: "permutation" })
            ).batches(),
          );
          expect(summary(file)).toEqual(summary(memory));
          expect(file.map((b) => [...b.ys])).toEqual(memory.map((b) => [...b.ys]));
        },
      ),
      { numRuns: 25 },
    );
  });

  it("shuffle auto on an indexed source → full", async () => {
    const pipeline = await createPipeline({ source: await indexed(10), batchSize: 2, seed: 1 });
    expect("planHash" in pipeline.getState()).toBe(true);
  });
});

/** Reads `count` batches, then returns the pipeline's state as JSON. */
async function stateAfter(options: PipelineOptions, count: number): Promise<PipelineState> {
  const pipeline = await createPipeline(options);
  if (count > 0) {
    let read = 0;
    for await (const _ of pipeline.batches()) if (++read === count) break;
  }
  return JSON.parse(JSON.stringify(pipeline.getState())) as PipelineState;
}

describe("position-only resume state", () => {
  it("any cut → the state has five position fields, and resuming gives exactly the rest of the uninterrupted run", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 30 }),
        fc.integer({ min: 1, max: 5 }),
        fc.option(fc.integer({ min: 1, max: 6 }), { nil: undefined }),
        fc.integer({ min: 1, max: 3 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.nat(),
        fc.constantFrom("full" as const, "none" as const),
        async (numSamples, batchSize, stepsPerEpoch, numShards, where, seed, shuffle) => {
          const options = {
            source: await indexed(numSamples),
            batchSize,
            stepsPerEpoch,
            seed,
            shuffle,
            epochs: 3,
            numShards,
            shardIndex: numShards - 1,
          };
          const full = await collect((await createPipeline(options)).batches());
          const cut = Math.floor(where * full.length);
          const state = await stateAfter(options, cut);
          expect(Object.keys(state).sort()).toEqual([
            "format",
            "pass",
            "passOffset",
            "planHash",
            "seed",
            "step",
            "version",
          ]);
          const resumed = await createPipeline({ ...options, state });
          expect(summary(await collect(resumed.batches()))).toEqual(summary(full.slice(cut)));
        },
      ),
      { numRuns: 40 },
    );
  });

  it("all ranks at the same step → the same state on every rank", async () => {
    const source = await indexed(23);
    const states = await Promise.all(
      range(3).map((shardIndex) =>
        stateAfter({ source, batchSize: 2, seed: 5, numShards: 3, shardIndex, epochs: 2 }, 3),
      ),
    );
    expect(states[1]).toEqual(states[0]);
    expect(states[2]).toEqual(states[0]);
    expect(states[0]).toMatchObject({ pass: 0, step: 3, passOffset: 18 });
  });

  it("resumed with another shard count → within every pass each row appears exactly once over old and new ranks", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 30 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 0, max: 12 }),
        fc.nat(),
        fc.constantFrom("pad" as const, "drop" as const),
        fc.boolean(),
        async (numSamples, oldShards, newShards, batchSize, cut, seed, shardPolicy, dropRemainder) => {
          const exact = shardPolicy === "pad" && !dropRemainder;
          fc.pre(exact || batchSize * Math.max(oldShards, newShards) <= numSamples);
          const source = await indexed(numSamples);
          const base = { source, batchSize, seed, stepsPerEpoch: 3, epochs: 40, shardPolicy, dropRemainder };
          const before = await Promise.all(
            range(oldShards).map(async (shardIndex) => {
              const pipeline = await createPipeline({ ...base, numShards: oldShards, shardIndex });
              const batches: Batch[] = [];
              if (cut > 0) for await (const b of pipeline.batches()) if (batches.push(b) === cut) break;
              return {
                batches,
                state: JSON.parse(JSON.stringify(pipeline.getState())) as IndexedPipelineState,
              };
            }),
          );
          const state = (before[0] as { state: IndexedPipelineState }).state;
          for (const rank of before) expect(rank.state).toEqual(state);
          const after = await Promise.all(
            range(newShards).map(async (shardIndex) => {
              const pipeline = await createPipeline({ ...base, numShards: newShards, shardIndex, state });
              const batches: Batch[] = [];
              for await (const b of pipeline.batches()) {
                if (b.pass > state.pass + 1) break;
                batches.push(b);
              }
              return batches;
            }),
          );
          for (const batches of after) expect(batches[0]?.step ?? state.step).toBe(state.step);
          const everything = [...before.flatMap((r) => r.batches), ...after.flat()];
          for (let pass = 0; pass <= state.pass + 1; pass++) {
            const rows = visits(everything.filter((b) => b.pass === pass));
            expect(new Set(rows).size).toBe(rows.length);
            if (exact) expect(sorted(rows)).toEqual(range(numSamples));
          }
        },
      ),
      { numRuns: 100 },
    );
  });

  it.each<[string, (s: IndexedPipelineState) => unknown, Partial<PipelineOptions>, string]>([
    ["another batch size", (s) => s, { batchSize: 4 }, "saved with planHash"],
    ["another plan hash", (s) => ({ ...s, planHash: "0000000000000000" }), {}, "saved with planHash"],
    ["another seed", (s) => s, { seed: 2 }, "saved with seed 1, this pipeline has seed 2"],
    [
      "a replay state",
      (s) => ({ ...s, version: 1 }),
      {},
      "pipeline state version 1 cannot resume a pipeline over an indexed source",
    ],
    [
      "a position past the data",
      (s) => ({ ...s, passOffset: 20 }),
      {},
      "passOffset 20 is not below numSamples 20",
    ],
    [
      "another shard count without fixed-length epochs",
      (s) => s,
      { numShards: 2, shardIndex: 0 },
      'resuming at another shard count needs fixed-length epochs (stepsPerEpoch with onExhausted "repeat")',
    ],
  ])("%s → PipelineError saying so", async (_name, corrupt, change, message) => {
    const options = { source: await indexed(20), batchSize: 3, seed: 1, epochs: 3 };
    const state = corrupt((await stateAfter(options, 2)) as IndexedPipelineState) as PipelineState;
    const pipeline = createPipeline({ ...options, ...change, state });
    await expect(pipeline).rejects.toThrow(PipelineError);
    await expect(pipeline).rejects.toThrow(message);
  });

  it("a position-only state given to an in-memory pipeline → PipelineError", async () => {
    const state = await stateAfter({ source: await indexed(20), batchSize: 3, seed: 1 }, 2);
    await expect(createPipeline({ source: memorySource(20), batchSize: 3, seed: 1, state })).rejects.toThrow(
      "saved by a pipeline over an indexed source",
    );
  });

  it("after a change of shard count, an epoch before the resume point → PipelineError", async () => {
    const base = { source: await indexed(20), batchSize: 2, seed: 1, stepsPerEpoch: 4, epochs: 5 };
    const state = await stateAfter({ ...base, numShards: 2, shardIndex: 0 }, 6);
    const pipeline = await createPipeline({ ...base, state });
    await expect(collect(pipeline.epoch(0))).rejects.toThrow(
      "comes before step 6, where this pipeline resumed",
    );
  });
});
