import { describe, expect, it } from "vitest";
import type { EpochRecord } from "./history.ts";
import { barProgress, EtaClock, formatLogs, lineProgress, type StepStats } from "./progress.ts";

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

  it("a bar mid-epoch → its ETA is the smoothed time per step times the steps left", () => {
    const { chunks, stream } = collector(true);
    const progress = barProgress(stream);
    progress.epochStart(0, 1, 100);
    // 10 steps at 0.5 s each: 90 steps left at 0.5 s → 45 s.
    for (let i = 1; i <= 10; i++) progress.step({ ...stats, stepsDone: i, seconds: i * 0.5 });
    progress.abort?.();
    expect(chunks.join("")).toContain("10/100 | ETA 45s");
  });
});

describe("EtaClock", () => {
  /** Feeds per-step times and returns the ETA after each step, for `total` steps. */
  function etas(stepTimes: number[], total: number): number[] {
    const clock = new EtaClock();
    let seconds = 0;
    return stepTimes.map((dt, i) => {
      seconds += dt;
      clock.update(i + 1, seconds);
      return clock.eta(total - (i + 1));
    });
  }

  it("constant step times → the exact remaining time from the first step on", () => {
    const out = etas(Array(20).fill(0.25), 40);
    out.forEach((eta, i) => {
      expect(eta).toBeCloseTo(0.25 * (40 - (i + 1)), 9);
    });
  });

  it("step times alternating fast and slow (10 ms / 100 ms) → the per-step estimate stays near their mean instead of swinging between them", () => {
    const times = Array.from({ length: 200 }, (_, i) => (i % 2 === 0 ? 0.01 : 0.1));
    const out = etas(times, 1000);
    const perStep = out.map((eta, i) => eta / (1000 - (i + 1)));
    // After a warm-up the estimate stays within ±10% of the mean 55 ms, while the last step alone says 10 or 100 ms.
    for (const value of perStep.slice(20)) {
      expect(value).toBeGreaterThan(0.055 * 0.9);
      expect(value).toBeLessThan(0.055 * 1.1);
    }
  });

  it("one 50x slower step among steady ones → the ETA moves by a bounded share, then recovers", () => {
    const times = Array.from({ length: 60 }, (_, i) => (i === 30 ? 0.5 : 0.01));
    const perStep = etas(times, 100).map((eta, i) => eta / (100 - (i + 1)));
    expect(perStep[29]).toBeCloseTo(0.01, 9);
    // alpha 0.1: one outlier adds about a tenth of its excess (0.049 s; a little more while the
    // bias correction is still above 1), not its whole 0.49 s.
    const weight = 1 - 0.9 ** 31;
    expect(perStep[30]).toBeCloseTo(0.01 + (0.1 * 0.49) / weight, 9);
    // 29 steps later its share has decayed to 0.9^29 of it (~0.002 s).
    expect(perStep[59]).toBeLessThan(0.013);
  });

  it("the step time changes for good (10 ms → 20 ms) → the estimate converges to the new rate", () => {
    const times = Array.from({ length: 120 }, (_, i) => (i < 60 ? 0.01 : 0.02));
    const perStep = etas(times, 1000).map((eta, i) => eta / (1000 - (i + 1)));
    expect(perStep[119]).toBeGreaterThan(0.0199);
  });

  it("several steps reported at once, or none yet → weighed as single steps; NaN before any", () => {
    const clock = new EtaClock();
    expect(clock.eta(10)).toBeNaN();
    clock.update(4, 2);
    expect(clock.eta(10)).toBeCloseTo(5, 9);
    clock.update(4, 3);
    expect(clock.eta(10)).toBeCloseTo(5, 9);
  });
});
