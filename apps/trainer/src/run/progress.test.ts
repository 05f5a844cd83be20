import { describe, expect, it } from "vitest";
import type { EpochRecord } from "./history.ts";
import { barProgress, formatLogs, lineProgress, type StepStats } from "./progress.ts";

function collector(isTTY: boolean) {
  const chunks: string[] = [];
  return { chunks, stream: { isTTY, columns: 200, write: (text: string) => chunks.push(text) } };
}

const record: EpochRecord = {
  epoch: 2,
  steps: 3,
  samples: 30,
  loss: 0.5,
  metrics: { accuracy: 0.75 },
  valLoss: 0.6,
  valMetrics: { accuracy: 0.7 },
  seconds: 2,
};
const stats: StepStats = {
  stepsDone: 3,
  samplesDone: 30,
  loss: 0.5,
  metrics: { accuracy: 0.75 },
  seconds: 2,
  waitSeconds: 0.5,
};

describe("progress", () => {
  it("loss and metrics → Keras-style 4-decimal logs", () => {
    expect(formatLogs(0.12345, { accuracy: 1 }, "val_")).toBe("val_loss: 0.1235 - val_accuracy: 1.0000");
  });

  it("not a terminal → exactly one line per epoch with steps, logs, rate and input wait", () => {
    const { chunks, stream } = collector(false);
    const progress = lineProgress(stream);
    progress.epochStart(2, 10, 3);
    for (let i = 1; i <= 3; i++) progress.step({ ...stats, stepsDone: i });
    progress.epochEnd(record, stats);
    expect(chunks).toEqual([
      "Epoch 3/10 - 3/3 - 2.0s - loss: 0.5000 - accuracy: 0.7500 - val_loss: 0.6000 - val_accuracy: 0.7000 - 15 samples/s - input wait 25%\n",
    ]);
  });

  it("a terminal → an Epoch header and a bar that ends at steps/steps with validation logs", () => {
    const { chunks, stream } = collector(true);
    const progress = barProgress(stream);
    progress.epochStart(0, 2, 3);
    progress.step({ ...stats, stepsDone: 1 });
    progress.epochEnd({ ...record, epoch: 0 }, stats);
    const text = chunks.join("");
    expect(text.startsWith("Epoch 1/2\n")).toBe(true);
    expect(text).toContain("3/3 | 2.0s | loss: 0.5000");
    expect(text).toContain("val_accuracy: 0.7000 | 15 samples/s | input wait 25%");
  });
});
