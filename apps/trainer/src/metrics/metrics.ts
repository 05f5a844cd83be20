// The metrics of a model's predictions per task, accumulated batch by batch in bounded memory
// and mergeable across ranks (a summary is a Float64Array; merging summaries in rank order
// gives the metrics over all ranks' samples). The loss is computed from the predictions with
// tfjs-layers' own formulas (the clipped cross-entropies of heads.ts, mean squared error).
import type { Task } from "../model/build.ts";
import { scoreAuc } from "./auc.ts";

const EPSILON = Math.fround(1e-7);
const ONE_MINUS_EPSILON = Math.fround(1 - 1e-7);

function clip(x: number): number {
  return Math.min(Math.max(x, EPSILON), ONE_MINUS_EPSILON);
}

/** Validation metric names per task, in history.csv and progress order (after `loss`). */
export function validationMetricNames(task: Task): string[] {
  switch (task) {
    case "binary":
      return ["accuracy", "auc", "precision", "recall"];
    case "classification":
      return ["accuracy", "macro_f1"];
    case "regression":
      return ["mae", "mse", "r2"];
  }
}

/** What `evaluate --json` and metrics.json report: sample count, loss, metrics, confusion matrix. */
export interface MetricsReport {
  samples: number;
  loss: number;
  metrics: Record<string, number>;
  /** Classification and binary: `matrix[true][predicted]` sample counts, rows and columns by class index. */
  confusion: number[][] | null;
}

/** Accumulates predictions of one task; `summary`/`merge` carry it between ranks. */
export interface MetricsAccumulator {
  /** `predictions` as the model outputs them (`[B, units]` row-major probabilities or values), `labels` `[B]`. */
  add(predictions: Float32Array, labels: Float32Array, batchSize: number): void;
  samples(): number;
  summary(): Float64Array;
  merge(summary: Float64Array): void;
  report(): MetricsReport;
}

/** Growable Float32Array: 4 bytes per value (twice that while it grows). */
class Floats {
  private data = new Float32Array(1024);
  length = 0;
  push(value: number): void {
    if (this.length === this.data.length) {
      const grown = new Float32Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[this.length++] = value;
  }
  pushAll(values: ArrayLike<number>): void {
    for (let i = 0; i < values.length; i++) this.push(values[i] as number);
  }
  view(): Float32Array {
    return this.data.subarray(0, this.length);
  }
}

/** Confusion-matrix metrics: accuracy and macro F1 (sklearn's: over the classes present in labels or predictions, 0 for a class without true or predicted samples). */
export function confusionMetrics(matrix: readonly (readonly number[])[]): {
  accuracy: number;
  macroF1: number;
} {
  const k = matrix.length;
  let total = 0;
  let correct = 0;
  let f1Sum = 0;
  let present = 0;
  for (let c = 0; c < k; c++) {
    const row = matrix[c] as readonly number[];
    let support = 0;
    let predicted = 0;
    for (let j = 0; j < k; j++) {
      support += row[j] as number;
      predicted += (matrix[j] as readonly number[])[c] as number;
    }
    total += support;
    const tp = row[c] as number;
    correct += tp;
    if (support + predicted === 0) continue;
    present++;
    f1Sum += (2 * tp) / (support + predicted);
  }
  return { accuracy: correct / total, macroF1: present === 0 ? Number.NaN : f1Sum / present };
}

/** Coefficient of determination from the sums (sklearn's convention when the labels are constant: 1 for a perfect fit, else 0). */
export function rSquared(sse: number, sst: number): number {
  if (sst === 0) return sse === 0 ? 1 : 0;
  return 1 - sse / sst;
}

class BinaryAccumulator implements MetricsAccumulator {
  private lossSum = 0;
  // [true][predicted] at the 0.5 threshold (p > 0.5 is class 1, as tfjs's binaryAccuracy).
  private readonly counts = [0, 0, 0, 0];
  private readonly positives = new Floats();
  private readonly negatives = new Floats();
  add(predictions: Float32Array, labels: Float32Array, batchSize: number): void {
    for (let b = 0; b < batchSize; b++) {
      const p = predictions[b] as number;
      const t = labels[b] as number;
      const y = clip(p);
      const x = Math.log(y / (1 - y));
      this.lossSum += Math.max(x, 0) - x * t + Math.log1p(Math.exp(-Math.abs(x)));
      const truth = t > 0.5 ? 1 : 0;
      const cell = truth * 2 + (p > 0.5 ? 1 : 0);
      this.counts[cell] = (this.counts[cell] as number) + 1;
      (truth ? this.positives : this.negatives).push(p);
    }
  }
  samples(): number {
    return this.positives.length + this.negatives.length;
  }
  summary(): Float64Array {
    const out = new Float64Array(7 + this.samples());
    out.set([this.lossSum, ...this.counts, this.positives.length, this.negatives.length]);
    out.set(this.positives.view(), 7);
    out.set(this.negatives.view(), 7 + this.positives.length);
    return out;
  }
  merge(summary: Float64Array): void {
    this.lossSum += summary[0] as number;
    for (let i = 0; i < 4; i++) this.counts[i] = (this.counts[i] as number) + (summary[1 + i] as number);
    const nPos = summary[5] as number;
    const nNeg = summary[6] as number;
    this.positives.pushAll(summary.subarray(7, 7 + nPos));
    this.negatives.pushAll(summary.subarray(7 + nPos, 7 + nPos + nNeg));
  }
  report(): MetricsReport {
    const [tn, fp, fn, tp] = this.counts as [number, number, number, number];
    const n = this.samples();
    // Copies: scoreAuc sorts in place, and the accumulator may be merged into again.
    const auc = scoreAuc(Float32Array.from(this.positives.view()), Float32Array.from(this.negatives.view()));
    return {
      samples: n,
      loss: this.lossSum / n,
      metrics: {
        accuracy: (tp + tn) / n,
        auc,
        // Keras's Precision and Recall: 0 when nothing is predicted (or is) positive.
        precision: tp + fp === 0 ? 0 : tp / (tp + fp),
        recall: tp + fn === 0 ? 0 : tp / (tp + fn),
      },
      confusion: [
        [tn, fp],
        [fn, tp],
      ],
    };
  }
}

class ClassificationAccumulator implements MetricsAccumulator {
  private lossSum = 0;
  private n = 0;
  private readonly matrix: Float64Array;
  constructor(private readonly units: number) {
    this.matrix = new Float64Array(units * units);
  }
  add(predictions: Float32Array, labels: Float32Array, batchSize: number): void {
    const k = this.units;
    for (let b = 0; b < batchSize; b++) {
      const row = b * k;
      // The first index wins a tie, as tfjs's argMax.
      let argMax = 0;
      let s = 0;
      for (let j = 0; j < k; j++) {
        const p = predictions[row + j] as number;
        if (p > (predictions[row + argMax] as number)) argMax = j;
        s += clip(p);
      }
      const y = Math.floor(labels[b] as number);
      if (!(y >= 0 && y < k)) throw new RangeError(`label ${labels[b]} is not a class index below ${k}`);
      // sparseCategoricalCrossentropy: clip, renormalise by the clipped sum, clip, -log.
      this.lossSum -= Math.log(clip(clip(predictions[row + y] as number) / s));
      (this.matrix[y * k + argMax] as number)++;
      this.n++;
    }
  }
  samples(): number {
    return this.n;
  }
  summary(): Float64Array {
    const out = new Float64Array(2 + this.matrix.length);
    out[0] = this.lossSum;
    out[1] = this.n;
    out.set(this.matrix, 2);
    return out;
  }
  merge(summary: Float64Array): void {
    this.lossSum += summary[0] as number;
    this.n += summary[1] as number;
    for (let i = 0; i < this.matrix.length; i++) (this.matrix[i] as number) += summary[2 + i] as number;
  }
  report(): MetricsReport {
    const k = this.units;
    const confusion = Array.from({ length: k }, (_, i) => Array.from(this.matrix.subarray(i * k, i * k + k)));
    const { accuracy, macroF1 } = confusionMetrics(confusion);
    return {
      samples: this.n,
      loss: this.lossSum / this.n,
      metrics: { accuracy, macro_f1: macroF1 },
      confusion,
    };
  }
}

class RegressionAccumulator implements MetricsAccumulator {
  private n = 0;
  private sse = 0;
  private sae = 0;
  // Welford's running mean and sum of squared deviations of the labels (for R²'s denominator).
  private mean = 0;
  private m2 = 0;
  add(predictions: Float32Array, labels: Float32Array, batchSize: number): void {
    for (let b = 0; b < batchSize; b++) {
      const y = labels[b] as number;
      const diff = (predictions[b] as number) - y;
      this.sse += diff * diff;
      this.sae += Math.abs(diff);
      this.n++;
      const delta = y - this.mean;
      this.mean += delta / this.n;
      this.m2 += delta * (y - this.mean);
    }
  }
  samples(): number {
    return this.n;
  }
  summary(): Float64Array {
    return Float64Array.of(this.n, this.sse, this.sae, this.mean, this.m2);
  }
  merge(summary: Float64Array): void {
    const [n, sse, sae, mean, m2] = summary as unknown as [number, number, number, number, number];
    if (n === 0) return;
    const total = this.n + n;
    const delta = mean - this.mean;
    // Chan et al.'s pairwise combination of two (count, mean, M2) summaries.
    this.m2 += m2 + (delta * delta * this.n * n) / total;
    this.mean += (delta * n) / total;
    this.n = total;
    this.sse += sse;
    this.sae += sae;
  }
  report(): MetricsReport {
    const mse = this.sse / this.n;
    return {
      samples: this.n,
      loss: mse,
      metrics: { mae: this.sae / this.n, mse, r2: rSquared(this.sse, this.m2) },
      confusion: null,
    };
  }
}

/**
 * An empty accumulator for `task` with `units` outputs per sample (classes for classification).
 * Memory: binary keeps one float32 score per sample (exact AUC); classification a units² count
 * matrix; regression five numbers.
 * @example
 * const acc = metricsAccumulator("binary", 1);
 * acc.add(new Float32Array([0.8, 0.3]), new Float32Array([1, 0]), 2);
 * acc.report().metrics.auc // 1
 */
export function metricsAccumulator(task: Task, units: number): MetricsAccumulator {
  switch (task) {
    case "binary":
      return new BinaryAccumulator();
    case "classification":
      return new ClassificationAccumulator(units);
    case "regression":
      return new RegressionAccumulator();
  }
}
