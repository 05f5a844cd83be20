// Data-parallel steps: every rank computes gradients on its share of the global batch, one
// all-reduce sums them (weighted by the ranks' real sample counts) together with the loss and
// metrics, and every rank applies the same averaged gradients. With the pipeline's round-robin
// deal, the ranks' step-s batches together are the single process's step-s batch, so W ranks
// with batch B train as one process with batch W·B (to float32 rounding).
import { type Batch, isPadding } from "@stepwise/data/internals";
import type * as tf from "@tensorflow/tfjs";
import type { MetricsAccumulator, MetricsReport } from "../metrics/metrics.ts";
import type { TrainStep } from "../model/train-step.ts";
import type { StepValues } from "../train/loop.ts";
import type { Collective } from "./ring.ts";

/**
 * The batch without its padding rows (repeats that even out the ranks' shares of a pass): they
 * would count twice what one process counts once. Padding rows are always at a batch's end.
 */
export function withoutPadding(batch: Batch): Batch {
  const real = batch.rows.findIndex(isPadding);
  if (real < 0) return batch;
  return {
    ...batch,
    batchSize: real,
    xs: batch.xs.subarray(0, real * batch.numFeatures),
    ys: batch.ys.subarray(0, real),
    rows: batch.rows.slice(0, real),
  };
}

/** Sizes of the model's trainable weights, in order: the gradient layout. */
export function weightSizes(model: tf.LayersModel): number[] {
  return model.trainableWeights.map((weight) => weight.shape.reduce<number>((a, b) => a * (b ?? 1), 1));
}

/** Milliseconds spent in all-reduces and how many there were (for the bench and progress). */
export interface ReduceClock {
  ms: number;
  calls: number;
}

/**
 * A data-parallel training step over `collective`. `sizes` is the gradient layout
 * ({@link weightSizes}) and `numValues` the count of `[loss, ...metrics]`; a rank whose batch is
 * all padding contributes zeros. Resolves to the all-rank means and sample count.
 */
export function dataParallelStep(
  step: TrainStep,
  collective: Collective,
  sizes: readonly number[],
  numValues: number,
  clock: ReduceClock = { ms: 0, calls: 0 },
): (xs: tf.Tensor, ys: tf.Tensor) => Promise<StepValues> {
  const total = sizes.reduce((a, b) => a + b, 0);
  return async (xs, ys) => {
    const samples = xs.shape[0] as number;
    // Layout: Σ b·gradients | Σ b·values | Σ b.
    const buffer = new Float32Array(total + numValues + 1);
    if (samples > 0) {
      const local = await step.gradients(xs, ys);
      let offset = 0;
      for (const gradient of local.gradients) {
        for (let i = 0; i < gradient.length; i++) buffer[offset + i] = (gradient[i] as number) * samples;
        offset += gradient.length;
      }
      local.values.forEach((value, i) => {
        buffer[total + i] = value * samples;
      });
      buffer[total + numValues] = samples;
    }
    const started = performance.now();
    const sum = await collective.allReduce(buffer);
    clock.ms += performance.now() - started;
    clock.calls++;
    const count = sum[total + numValues] as number;
    const gradients: Float32Array[] = [];
    let offset = 0;
    for (const size of sizes) {
      const gradient = sum.slice(offset, offset + size);
      for (let i = 0; i < size; i++) gradient[i] = (gradient[i] as number) / count;
      gradients.push(gradient);
      offset += size;
    }
    if (count > 0) await step.applyGradients(gradients);
    const values = Array.from(sum.subarray(total, total + numValues), (value) => value / count);
    return { values, samples: count };
  };
}

/**
 * Every rank's `local` values, in rank order, over an all-reduce: each rank's values go to its
 * own slots of a zeroed buffer, so the sum is the concatenation. A float64 travels as two
 * float32s (its float32 rounding and the rest), exact to ~2^-48 relative; float32 values (model
 * scores, counts below 2^24) arrive exactly. Two all-reduces: the lengths, then the values.
 */
export async function allGather(collective: Collective, local: Float64Array): Promise<Float64Array[]> {
  const { rank, worldSize } = collective;
  const lengths = new Float32Array(worldSize);
  lengths[rank] = local.length;
  const sizes = Array.from(await collective.allReduce(lengths));
  const offsets = sizes.map((_, r) => 2 * sizes.slice(0, r).reduce((a, b) => a + b, 0));
  const total = 2 * sizes.reduce((a, b) => a + b, 0);
  const buffer = new Float32Array(total);
  const at = offsets[rank] as number;
  for (let i = 0; i < local.length; i++) {
    const value = local[i] as number;
    const high = Math.fround(value);
    buffer[at + 2 * i] = high;
    buffer[at + 2 * i + 1] = value - high;
  }
  const sum = await collective.allReduce(buffer);
  return sizes.map((size, r) => {
    const out = new Float64Array(size);
    const from = offsets[r] as number;
    for (let i = 0; i < size; i++) out[i] = (sum[from + 2 * i] as number) + (sum[from + 2 * i + 1] as number);
    return out;
  });
}

/**
 * Validation split across the ranks: rank r evaluates batches r, r+W, … of the validation pass
 * into its accumulator (`evaluate`); the ranks' summaries are gathered and merged in rank order,
 * so every rank reports the metrics over all ranks' samples (exact AUC included: binary
 * summaries carry every score).
 */
export async function dataParallelEvaluate(
  collective: Collective,
  batches: AsyncIterable<Batch>,
  evaluate: (batches: AsyncIterable<Batch>) => Promise<MetricsAccumulator>,
  newMetrics: () => MetricsAccumulator,
): Promise<MetricsReport> {
  const { rank, worldSize } = collective;
  async function* mine(): AsyncGenerator<Batch> {
    let i = 0;
    for await (const batch of batches) if (i++ % worldSize === rank) yield batch;
  }
  const local = await evaluate(mine());
  const all = newMetrics();
  for (const summary of await allGather(collective, local.summary())) all.merge(summary);
  return all.report();
}
