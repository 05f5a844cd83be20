import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { plan } from "./plan.ts";
import { epochStartStep, locateStep, stepAtBatch, stepOf } from "./position.ts";

describe("locateStep", () => {
  const p = plan({ numSamples: 100, batchSize: 10, stepsPerEpoch: 9, epochs: 4 });
  it.each([
    // step, epoch, stepInEpoch, pass, batchInPass, sampleOffset
    [0, 0, 0, 0, 0, 0],
    [9, 1, 0, 0, 9, 90],
    [10, 1, 1, 1, 0, 0],
    [35, 3, 8, 3, 5, 50],
  ])(
    "S=9, 10 batches/pass: step %i → epoch %i step %i, pass %i batch %i, offset %i",
    (step, epoch, inEpoch, pass, batch, offset) => {
      expect(locateStep(p, step)).toEqual({
        step,
        epoch,
        stepInEpoch: inEpoch,
        pass,
        batchInPass: batch,
        sampleOffset: offset,
      });
    },
  );

  it("Keras stop policy: step 19 → the 1-step epoch 3", () => {
    const k = plan({ numSamples: 100, batchSize: 10, stepsPerEpoch: 9, epochs: 4, onExhausted: "stop" });
    expect(locateStep(k, 19)).toMatchObject({ epoch: 3, stepInEpoch: 0, pass: 1, batchInPass: 9 });
    expect(locateStep(k, 18)).toMatchObject({ epoch: 2, stepInEpoch: 8, pass: 1, batchInPass: 8 });
  });

  it("unknown numSamples with S → epoch known, pass unknown", () => {
    const u = plan({ numSamples: null, batchSize: 4, stepsPerEpoch: 5, epochs: 3 });
    expect(locateStep(u, 12)).toEqual({
      step: 12,
      epoch: 2,
      stepInEpoch: 2,
      pass: null,
      batchInPass: null,
      sampleOffset: null,
    });
  });

  it("unknown numSamples without S → error explaining why", () => {
    const u = plan({ numSamples: null, batchSize: 4, epochs: 3 });
    expect(() => locateStep(u, 3)).toThrow("numSamples is unknown");
    expect(epochStartStep(u, 0)).toBe(0);
  });

  it("stepOf past the end of an epoch → error", () => {
    expect(() => stepOf(p, { epoch: 0, stepInEpoch: 9 })).toThrow(
      "stepInEpoch must be below the 9 steps of epoch 0, got 9",
    );
  });
});

describe("position mapping round-trips", () => {
  it("any step → (epoch, stepInEpoch) and (pass, batchInPass) both map back to it, consistent with the plan", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 300 }),
        fc.integer({ min: 1, max: 40 }),
        fc.option(fc.integer({ min: 1, max: 30 }), { nil: null }),
        fc.boolean(),
        fc.nat(2000),
        (n, b, s, stop, step) => {
          const p = plan({
            numSamples: n,
            batchSize: b,
            stepsPerEpoch: s,
            epochs: 1,
            onExhausted: stop ? "stop" : "repeat",
          });
          const at = locateStep(p, step);
          expect(stepOf(p, at)).toBe(step);
          expect(stepAtBatch(p, { pass: at.pass as number, batchInPass: at.batchInPass as number })).toBe(
            step,
          );
          const epochPlan = plan({
            numSamples: n,
            batchSize: b,
            stepsPerEpoch: s,
            epochs: at.epoch + 1,
            initialEpoch: at.epoch,
            onExhausted: stop ? "stop" : "repeat",
          }).epochs[0];
          expect(step).toBeGreaterThanOrEqual(epochPlan?.startStep as number);
          expect(step).toBeLessThan(epochPlan?.endStep as number);
          expect(at.sampleOffset).toBe((at.batchInPass as number) * b);
        },
      ),
    );
  });
});
