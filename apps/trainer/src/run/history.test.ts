import { describe, expect, it } from "vitest";
import { type EpochRecord, formatHistory, historyColumns, shouldStopEarly } from "./history.ts";

function record(epoch: number, loss: number, valLoss: number | null): EpochRecord {
  return {
    epoch,
    steps: 4,
    samples: 100,
    loss,
    metrics: { accuracy: 0.5 },
    valLoss,
    valMetrics: valLoss === null ? null : { accuracy: 0.25 },
    seconds: 1.23456,
  };
}

describe("history.csv", () => {
  it("metric names → train columns, then val_ columns, then seconds", () => {
    expect(historyColumns(["accuracy"])).toEqual([
      "epoch",
      "steps",
      "samples",
      "loss",
      "accuracy",
      "val_loss",
      "val_accuracy",
      "seconds",
    ]);
  });

  it("an epoch without validation → empty validation cells", () => {
    const text = formatHistory([record(0, 0.5, null)], ["accuracy"]);
    expect(text.split("\n")[1]).toBe("0,4,100,0.5,0.5,,,1.235");
  });

  it("a float32 loss → written so that parsing it back gives the same number", () => {
    const loss = Math.fround(0.1234567);
    const line = formatHistory([record(0, loss, 0.25)], ["accuracy"]).split("\n")[1] as string;
    expect(Number(line.split(",")[3])).toBe(loss);
  });
});

describe("early stopping", () => {
  it.each([
    { losses: [3, 2, 1], patience: 1, stop: false },
    { losses: [3, 2, 2], patience: 1, stop: true },
    { losses: [3, 4, 5], patience: 2, stop: true },
    { losses: [3, 4, 2], patience: 2, stop: false },
    { losses: [3, 4, 5], patience: 3, stop: false },
  ])("val_loss $losses with patience $patience → stop $stop", ({ losses, patience, stop }) => {
    const records = losses.map((value, epoch) => record(epoch, 1, value));
    expect(shouldStopEarly(records, patience, true)).toBe(stop);
  });

  it("epochs that did not validate → not counted as waiting", () => {
    const records = [record(0, 1, 2), record(1, 1, null), record(2, 1, null)];
    expect(shouldStopEarly(records, 1, true)).toBe(false);
  });

  it("no patience → never stops", () => {
    expect(shouldStopEarly([record(0, 1, 5), record(1, 1, 6)], undefined, true)).toBe(false);
  });
});
