import { plan } from "@stepwise/core";
import { describe, expect, it } from "vitest";
import { planRows, progressLine } from "./text.ts";

describe("page text", () => {
  it("a step midway and the last step → a Keras-like bar with the arrow at the share done, then a full bar with validation metrics", () => {
    expect(
      progressLine({ epoch: 2, epochs: 60, step: 4, stepsPerEpoch: 8, loss: 0.41234, accuracy: 0.875 }),
    ).toBe("Epoch 3/60 4/8 [==============>...............] - loss: 0.4123 - accuracy: 0.8750");
    expect(
      progressLine({
        epoch: 0,
        epochs: 1,
        step: 8,
        stepsPerEpoch: 8,
        loss: 0.5,
        accuracy: null,
        validation: { loss: 0.25, accuracy: 1 },
      }),
    ).toBe(`Epoch 1/1 8/8 [${"=".repeat(30)}] - loss: 0.5000 - val_loss: 0.2500 - val_accuracy: 1.0000`);
  });

  it("120 samples in batches of 16 for 60 epochs with 30 validation samples → 8 steps, last batch 8, 480 steps, 2 validation steps", () => {
    const p = plan({ numSamples: 120, batchSize: 16, epochs: 60, validationSamples: 30 });
    expect(Object.fromEntries(planRows(p, 120, 30))).toMatchObject({
      stepsPerEpoch: "8",
      "last batch of a pass": "8 samples",
      "total steps": "480",
      "validation steps": "2",
    });
  });
});
