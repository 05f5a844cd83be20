import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Batch, SampleSource } from "../types.ts";
import type { PipelineOptions } from "./api.ts";
import { PipelineError } from "./errors.ts";
import { createPipeline } from "./pipeline.ts";
import type { PipelineState, PipelineStateV1 } from "./state.ts";
import { collect, memorySource, streamSource, summary } from "./test-helpers.ts";

type Kind = "array" | "stream" | "counted stream";
const sourceOf = (kind: Kind, n: number): SampleSource =>
  kind === "array" ? memorySource(n) : streamSource(n, 2, kind === "counted stream");

/** Reads `count` batches of the whole run, then returns the state a checkpoint would store (as JSON). */
async function stateAfterReading(
  options: PipelineOptions,
  count: number,
  useGetState: boolean,
): Promise<unknown> {
  const pipeline = await createPipeline(options);
  let last: Batch | undefined;
  let read = 0;
  if (count > 0) {
    for await (const batch of pipeline.batches()) {
      last = batch;
      if (++read === count) break;
    }
  }
  const state = useGetState || last === undefined ? pipeline.getState() : pipeline.stateAfter(last);
  return JSON.parse(JSON.stringify(state));
}

describe("resume (rule 9)", () => {
  it("any source, plan and step → resuming from the state gives exactly the rest of the uninterrupted run", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom<Kind>("array", "stream", "counted stream"),
        fc.integer({ min: 1, max: 30 }),
        fc.integer({ min: 1, max: 8 }),
        fc.option(fc.integer({ min: 1, max: 7 }), { nil: undefined }),
        fc.constantFrom("repeat" as const, "stop" as const),
        fc.record({ numShards: fc.integer({ min: 1, max: 3 }), dropRemainder: fc.boolean(), seed: fc.nat() }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.boolean(),
        async (kind, numSamples, batchSize, stepsPerEpoch, onExhausted, extra, where, useGetState) => {
          const { numShards, dropRemainder, seed } = extra;
          fc.pre(!dropRemainder || batchSize * numShards <= numSamples);
          const options = {
            batchSize,
            stepsPerEpoch,
            onExhausted,
            numShards,
            shardIndex: numShards - 1,
            dropRemainder,
            seed,
            epochs: 3,
            shuffleBuffer: 5,
          };
          const full = await collect(
            (await createPipeline({ source: sourceOf(kind, numSamples), ...options })).batches(),
          );
          const cut = Math.floor(where * full.length);
          const state = await stateAfterReading(
            { source: sourceOf(kind, numSamples), ...options },
            cut,
            useGetState,
          );
          const resumed = await createPipeline({
            source: sourceOf(kind, numSamples),
            ...options,
            state: state as PipelineState,
          });
          expect(summary(await collect(resumed.batches()))).toEqual(summary(full.slice(cut)));
        },
      ),
      { numRuns: 50 },
    );
  });

  it("state after a mid-epoch batch → position names the epoch and step within it", async () => {
    const options = { source: memorySource(30), batchSize: 4, seed: 9, stepsPerEpoch: 5, epochs: 3 };
    const state = await stateAfterReading(options, 7, false);
    expect(state).toMatchObject({
      format: "stepwise.pipeline",
      version: 1,
      step: 7,
      epoch: 1,
      stepInEpoch: 2,
      numSamples: 30,
    });
    const resumed = await createPipeline({ ...options, state: state as PipelineState });
    expect(resumed.position).toEqual({ step: 7, epoch: 1, stepInEpoch: 2 });
    expect((await collect(resumed.epoch(1))).map((b) => b.stepInEpoch)).toEqual([2, 3, 4]);
  });

  it("stream resumed mid-pass → replays only the current pass (not earlier ones)", async () => {
    const options = { batchSize: 5, seed: 9, stepsPerEpoch: 3, epochs: 4 };
    const state = await stateAfterReading({ source: streamSource(20), ...options }, 10, true); // pass 2, batch 2
    const source = streamSource(20);
    const resumed = await createPipeline({ source, ...options, state: state as PipelineState });
    expect((await collect(resumed.epoch(3))).length).toBe(2);
    expect(source.passes).toBe(1);
  });

  it("setState on a running pipeline → continues from the state, not from its own cursor", async () => {
    const options = { source: memorySource(12), batchSize: 3, seed: 4, epochs: 3 };
    const pipeline = await createPipeline(options);
    const state = await stateAfterReading(options, 5, false);
    await collect(pipeline.epoch(0));
    await pipeline.setState(state as PipelineState);
    const full = await collect((await createPipeline(options)).batches());
    expect(summary(await collect(pipeline.batches()))).toEqual(summary(full.slice(5)));
  });

  it("no seed given → the state's seed is adopted", async () => {
    const state = await stateAfterReading({ source: memorySource(12), batchSize: 3, seed: 77 }, 1, false);
    const resumed = await createPipeline({
      source: memorySource(12),
      batchSize: 3,
      state: state as PipelineState,
    });
    expect(resumed.seed).toBe(77);
  });
});

describe("resume: invalid states", () => {
  const options = { source: memorySource(12), batchSize: 3, seed: 4, epochs: 3 };
  const good = async () => (await createPipeline(options)).getState();

  it.each<[string, (s: PipelineStateV1) => unknown, string]>([
    ["not an object", () => 42, "pipeline state must be an object, got 42"],
    ["another format", (s) => ({ ...s, format: "keras" }), 'format is "keras", expected "stepwise.pipeline"'],
    [
      "a newer version",
      (s) => ({ ...s, version: 2 }),
      "pipeline state version 2 is not supported (this version reads 1)",
    ],
    ["a negative step", (s) => ({ ...s, step: -1 }), "step must be a non-negative integer, got -1"],
    [
      "another batch size",
      (s) => ({ ...s, config: { ...s.config, batchSize: 4 } }),
      "saved with batchSize 4, this pipeline has 3",
    ],
    [
      "another shuffle",
      (s) => ({ ...s, config: { ...s.config, shuffle: "none" } }),
      'saved with shuffle "none"',
    ],
    ["another seed", (s) => ({ ...s, seed: 5 }), "saved with seed 5, this pipeline has seed 4"],
    [
      "other data",
      (s) => ({ ...s, numSamples: 13 }),
      "saved with numSamples 13, the data now has 12: the data changed",
    ],
  ])("%s → PipelineError saying so", async (_, corrupt, message) => {
    const pipeline = await createPipeline(options);
    const bad = corrupt((await good()) as PipelineStateV1) as PipelineState;
    await expect(pipeline.setState(bad)).rejects.toThrow(PipelineError);
    await expect(pipeline.setState(bad)).rejects.toThrow(message);
  });

  it("more epochs than when saved → accepted (training is extended)", async () => {
    const state = await good();
    await expect(createPipeline({ ...options, epochs: 10, state })).resolves.toBeDefined();
  });
});
