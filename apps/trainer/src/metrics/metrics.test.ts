import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { confusionMetrics, metricsAccumulator, rSquared } from "./metrics.ts";

const binaryRows = fc.array(fc.tuple(fc.float({ min: 0, max: 1, noNaN: true }), fc.boolean()), {
  minLength: 1,
  maxLength: 80,
});

function binaryReport(rows: [number, boolean][], splits: number[]) {
  // Accumulated in parts (as ranks would), merged in order.
  const bounds = [0, ...splits.map((s) => Math.floor(s * rows.length)).sort((a, b) => a - b), rows.length];
  const whole = metricsAccumulator("binary", 1);
  for (let i = 0; i + 1 < bounds.length; i++) {
    const part = rows.slice(bounds[i], bounds[i + 1]);
    const acc = metricsAccumulator("binary", 1);
    acc.add(
      Float32Array.from(part.map((r) => r[0])),
      Float32Array.from(part.map((r) => (r[1] ? 1 : 0))),
      part.length,
    );
    whole.merge(acc.summary());
  }
  return whole.report();
}

describe("confusion-matrix metrics", () => {
  const matrices = fc
    .integer({ min: 1, max: 6 })
    .chain((k) =>
      fc.array(fc.array(fc.nat({ max: 30 }), { minLength: k, maxLength: k }), { minLength: k, maxLength: k }),
    );

  it("any confusion matrix → accuracy is the diagonal share and macro F1 lies in [0, 1]", () => {
    fc.assert(
      fc.property(matrices, (m) => {
        const total = m.flat().reduce((a, b) => a + b, 0);
        fc.pre(total > 0);
        const { accuracy, macroF1 } = confusionMetrics(m);
        expect(accuracy).toBeCloseTo(m.reduce((a, row, i) => a + (row[i] as number), 0) / total, 12);
        expect(macroF1).toBeGreaterThanOrEqual(0);
        expect(macroF1).toBeLessThanOrEqual(1);
      }),
      { numRuns: 300 },
    );
  });

  it("a diagonal matrix → accuracy and macro F1 are 1; no diagonal → macro F1 is 0", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 2, maxLength: 6 }), (counts) => {
        const k = counts.length;
        const diagonal = counts.map((c, i) => counts.map((_, j) => (i === j ? c : 0)));
        expect(confusionMetrics(diagonal)).toEqual({ accuracy: 1, macroF1: 1 });
        const shifted = counts.map((c, i) => counts.map((_, j) => (j === (i + 1) % k ? c : 0)));
        expect(confusionMetrics(shifted)).toEqual({ accuracy: 0, macroF1: 0 });
      }),
      { numRuns: 100 },
    );
  });

  it("a macro F1 → the mean of per-class F1 computed from precision and recall", () => {
    // Class 0: tp 3, fn 1, fp 2 → p 3/5, r 3/4, F1 2/3; class 1: tp 4, fn 2, fp 1 → p 4/5, r 4/6, F1 8/11;
    // class 2: tp 0, fn 0, fp 0 (absent) → left out of the mean.
    const f1 = confusionMetrics([
      [3, 1, 0],
      [2, 4, 0],
      [0, 0, 0],
    ]).macroF1;
    expect(f1).toBeCloseTo((2 / 3 + 8 / 11) / 2, 12);
  });

  it("classification predictions → confusion matrix rows are true classes, columns argmax", () => {
    const acc = metricsAccumulator("classification", 3);
    // argmax: 0, 2, 2, 1 (a tie between 1 and 2 goes to the first)
    const p = Float32Array.of(0.7, 0.2, 0.1, 0.1, 0.2, 0.7, 0.2, 0.3, 0.5, 0.2, 0.4, 0.4);
    acc.add(p, Float32Array.of(0, 2, 1, 1), 4);
    const report = acc.report();
    expect(report.confusion).toEqual([
      [1, 0, 0],
      [0, 1, 1],
      [0, 0, 1],
    ]);
    expect(report.metrics.accuracy).toBe(0.75);
    const expectedLoss = -(Math.log(0.7) + Math.log(0.7) + Math.log(0.3) + Math.log(0.4)) / 4;
    expect(report.loss).toBeCloseTo(expectedLoss, 6);
  });
});

describe("binary metrics", () => {
  it("any split of the samples into merged parts → the same report as one accumulator", () => {
    fc.assert(
      fc.property(
        binaryRows,
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 3 }),
        (rows, splits) => {
          // The counts and rank statistics are exact; the log loss is a float sum, whose last bits
          // depend on where the parts begin.
          const { loss, ...merged } = binaryReport(rows, splits);
          const { loss: wholeLoss, ...whole } = binaryReport(rows, []);
          expect(merged).toEqual(whole);
          expect(Math.abs(loss - wholeLoss)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(wholeLoss)));
        },
      ),
      { numRuns: 200 },
    );
  });

  it("precision and recall at 0.5 → counts of p > 0.5 against the labels", () => {
    fc.assert(
      fc.property(binaryRows, (rows) => {
        const { metrics, confusion } = binaryReport(rows, []);
        const tp = rows.filter(([p, t]) => t && p > 0.5).length;
        const fp = rows.filter(([p, t]) => !t && p > 0.5).length;
        const fn = rows.filter(([p, t]) => t && !(p > 0.5)).length;
        expect(metrics.precision).toBe(tp + fp === 0 ? 0 : tp / (tp + fp));
        expect(metrics.recall).toBe(tp + fn === 0 ? 0 : tp / (tp + fn));
        expect(confusion?.[1]?.[1]).toBe(tp);
        expect(metrics.accuracy).toBe((rows.length - fp - fn) / rows.length);
      }),
      { numRuns: 200 },
    );
  });

  it("log loss → the mean binary cross-entropy of the clipped probabilities", () => {
    const acc = metricsAccumulator("binary", 1);
    acc.add(Float32Array.of(0.8, 0.4, 0), Float32Array.of(1, 0, 0), 3);
    const expected = -(Math.log(0.8) + Math.log(0.6) + Math.log(1 - 1e-7)) / 3;
    expect(acc.report().loss).toBeCloseTo(expected, 6);
  });
});

describe("regression metrics", () => {
  const pairs = fc.array(
    fc.tuple(
      fc.double({ min: -1e3, max: 1e3, noNaN: true }),
      fc.double({ min: -1e3, max: 1e3, noNaN: true }),
    ),
    { minLength: 2, maxLength: 60 },
  );

  it("random predictions, merged in two parts → R² = 1 - SSE/SST from a direct two-pass computation", () => {
    fc.assert(
      fc.property(pairs, fc.double({ min: 0, max: 1, noNaN: true }), (rows, split) => {
        const preds = rows.map((r) => Math.fround(r[0]));
        const labels = rows.map((r) => Math.fround(r[1]));
        const cut = Math.floor(split * rows.length);
        const whole = metricsAccumulator("regression", 1);
        for (const [from, to] of [
          [0, cut],
          [cut, rows.length],
        ] as const) {
          const part = metricsAccumulator("regression", 1);
          part.add(
            Float32Array.from(preds.slice(from, to)),
            Float32Array.from(labels.slice(from, to)),
            to - from,
          );
          whole.merge(part.summary());
        }
        const mean = labels.reduce((a, b) => a + b, 0) / labels.length;
        const sst = labels.reduce((a, y) => a + (y - mean) ** 2, 0);
        const sse = labels.reduce((a, y, i) => a + ((preds[i] as number) - y) ** 2, 0);
        const mae = labels.reduce((a, y, i) => a + Math.abs((preds[i] as number) - y), 0) / labels.length;
        const { metrics, loss } = whole.report();
        const r2 = rSquared(sse, sst);
        expect(Math.abs((metrics.r2 as number) - r2)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(r2)));
        expect(metrics.mae).toBeCloseTo(mae, 9);
        expect(loss).toBeCloseTo(sse / labels.length, 6);
        expect(metrics.mse).toBe(loss);
      }),
      { numRuns: 200 },
    );
  });

  it("predicting the labels' mean → R² 0; predicting the labels → R² 1; constant labels follow sklearn", () => {
    const acc = metricsAccumulator("regression", 1);
    acc.add(Float32Array.of(2, 2, 2), Float32Array.of(1, 2, 3), 3);
    expect(acc.report().metrics.r2).toBe(0);
    const exact = metricsAccumulator("regression", 1);
    exact.add(Float32Array.of(1, 2, 3), Float32Array.of(1, 2, 3), 3);
    expect(exact.report().metrics.r2).toBe(1);
    expect(rSquared(0, 0)).toBe(1);
    expect(rSquared(1, 0)).toBe(0);
  });
});
