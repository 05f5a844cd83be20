// Data-parallel steps: every rank computes gradients on its share of the global batch, one
// all-reduce sums them (weighted by the ranks' real sample counts) together with the loss and
// metrics, and every rank applies the same averaged gradients. With the pipeline's round-robin
// deal, the ranks' step-s batches together are the single process's step-s batch, so W ranks
// with batch B train as one process with batch W·B (to float32 rounding).
import { type Batch, isPadding } from "@stepwise/data/internals";
import type * as tf from "@tensorflow/tfjs";
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
 * Validation split across the ranks: rank r evaluates batches r, r+W, … of the validation pass
 * (`evaluate` gives their sample-weighted means and count), and one all-reduce combines them.
 */
export async function dataParallelEvaluate(
  collective: Collective,
  batches: AsyncIterable<Batch>,
  evaluate: (
    batches: AsyncIterable<Batch>,
  ) => Promise<{ loss: number; metrics: Record<string, number>; samples: number }>,
  metricNames: readonly string[],
): Promise<{ loss: number; metrics: Record<string, number> }> {
  const { rank, worldSize } = collective;
  async function* mine(): AsyncGenerator<Batch> {
    let i = 0;
    for await (const batch of batches) if (i++ % worldSize === rank) yield batch;
  }
  const local = await evaluate(mine());
  const buffer = new Float32Array(metricNames.length + 2);
  if (local.samples > 0) {
    buffer[0] = local.loss * local.samples;
    metricNames.forEach((name, i) => {
      buffer[i + 1] = (local.metrics[name] ?? 0) * local.samples;
    });
    buffer[metricNames.length + 1] = local.samples;
  }
  const sum = await collective.allReduce(buffer);
  const count = sum[metricNames.length + 1] as number;
  return {
    loss: (sum[0] as number) / count,
    metrics: Object.fromEntries(metricNames.map((name, i) => [name, (sum[i + 1] as number) / count])),
  };
}
