import { plan } from "@stepwise/core";
import type { PipelineState } from "@stepwise/data";
import { describe, expect, it } from "vitest";
import { atEpochStart } from "./redeal.ts";

const state = (step: number, pass: number, passOffset: number): PipelineState => ({
  format: "stepwise.pipeline",
  version: 2,
  seed: 1,
  pass,
  step,
  passOffset,
  planHash: "0123456789abcdef",
});

describe("atEpochStart", () => {
  // 105 samples, batch 4: 2 ranks take 14 steps per pass, 1 rank 27.
  const one = plan({ numSamples: 105, batchSize: 4, epochs: 5 });

  it("a 2-rank state at the start of pass 2 → the 1-rank plan's first step of epoch 2", () => {
    expect(atEpochStart(state(28, 2, 0), one, 2)).toMatchObject({ step: 54, pass: 2, passOffset: 0 });
  });

  it("a state inside a pass → unchanged (the pipeline decides)", () => {
    const inside = state(30, 2, 16);
    expect(atEpochStart(inside, one, 2)).toBe(inside);
  });

  it("a pass that is not the epoch's first → unchanged", () => {
    const other = state(28, 3, 0);
    expect(atEpochStart(other, one, 2)).toBe(other);
  });
});
