import { describe, expect, it } from "vitest";
import { PipelineError } from "./errors.ts";
import { createPipeline } from "./pipeline.ts";
import { collect, memorySource, range, rowsOf, streamSource } from "./test-helpers.ts";
import { validationBatches } from "./validation.ts";

describe("validationBatches (rule 4)", () => {
  it.each([
    ["array", () => memorySource(10)],
    ["stream", () => streamSource(10)],
  ])(
    "%s, no validationSteps → one full unshuffled pass, last batch partial, every run from the start",
    async (_, make) => {
      const run = validationBatches(make(), { batchSize: 4, epoch: 2 });
      for (let i = 0; i < 2; i++) {
        const batches = await collect(run);
        expect(batches.map(rowsOf)).toEqual([
          [0, 1, 2, 3],
          [4, 5, 6, 7],
          [8, 9],
        ]);
        expect(batches.map((b) => [b.epoch, b.step])).toEqual([
          [2, 0],
          [2, 1],
          [2, 2],
        ]);
      }
    },
  );

  it("validationSteps 2 → the first two batches", async () => {
    const batches = await collect(validationBatches(memorySource(10), { batchSize: 3, validationSteps: 2 }));
    expect(batches.flatMap(rowsOf)).toEqual(range(6));
  });

  it("validationSteps above one pass, size known → PipelineError before reading", () => {
    expect(() => validationBatches(memorySource(10), { batchSize: 4, validationSteps: 4 })).toThrow(
      "validationSteps 4 exceeds the 3 steps of one validation pass (batch 4)",
    );
  });

  it("validationSteps above one pass, stream of unknown size → PipelineError when the pass ends", async () => {
    const run = collect(validationBatches(streamSource(10), { batchSize: 4, validationSteps: 4 }));
    await expect(run).rejects.toThrow(PipelineError);
  });

  it("pipeline with validation data → plan has the validation steps; validation() reads them unshuffled", async () => {
    const pipeline = await createPipeline({
      source: memorySource(20),
      batchSize: 5,
      seed: 1,
      validation: { source: memorySource(7), batchSize: 3 },
    });
    expect(pipeline.plan.validationSteps).toBe(3);
    expect((await collect(pipeline.validation(0))).map(rowsOf)).toEqual([[0, 1, 2], [3, 4, 5], [6]]);
  });

  it("pipeline without validation data → validation() throws PipelineError", async () => {
    const pipeline = await createPipeline({ source: memorySource(20), batchSize: 5, seed: 1 });
    expect(() => pipeline.validation()).toThrow("no validation data");
  });
});
