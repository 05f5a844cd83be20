import type { Plan } from "@stepwise/core";
import type { Batch } from "@stepwise/data";
import * as tf from "@tensorflow/tfjs";
import { RunError } from "../errors.ts";
import type { MetricsAccumulator, MetricsReport } from "../metrics/metrics.ts";
import { captureModelWeights, type EncodedWeights } from "../model/state.ts";
import { type EpochRecord, improved, shouldStopEarly } from "../run/history.ts";
import type { Progress, StepStats } from "../run/progress.ts";

/** Batches in, tensors out; the loop owns (and disposes) what this returns. */
export type ToTensors = (batch: Batch) => { xs: tf.Tensor; ys: tf.Tensor };

/** The data side of training, as the pipeline provides it. */
export interface LoopData {
  epoch(epoch: number): AsyncIterable<Batch>;
  validation(epoch: number): AsyncIterable<Batch>;
}

export interface LoopOptions {
  model: tf.LayersModel;
  metricNames: string[];
  plan: Plan;
  data: LoopData;
  toTensors: ToTensors;
  /**
   * One optimizer step, resolving to `[loss, ...metrics]` (weighted by the batch's size), or to
   * values with the samples they stand for (data-parallel: all ranks'); default `model.trainOnBatch`.
   */
  train?: (xs: tf.Tensor, ys: tf.Tensor) => Promise<number[] | StepValues>;
  /** An empty accumulator of the task's validation metrics (loss included). */
  newMetrics: () => MetricsAccumulator;
  /** Validation loss and metrics after `epoch`; default: this model over `data.validation(epoch)`. */
  evaluate?: (epoch: number) => Promise<MetricsReport>;
  /** First epoch to run (the plan's initialEpoch, or where a checkpoint left off). */
  startEpoch: number;
  /** Epochs already done (from a checkpoint); early stopping looks at them too. */
  history: EpochRecord[];
  patience?: number;
  /**
   * Keep a copy of the weights of the epoch with the best monitored value (val_loss when the
   * run validates, else loss), as Keras's `restore_best_weights`; the caller restores them.
   */
  keepBest?: boolean;
  /** The kept epoch so far (from a checkpoint). */
  best?: KeptEpoch | null;
  progress: Progress;
  /**
   * Called after each epoch (and its validation) with the whole history, the epoch's full
   * validation report (null when it did not validate) and the best epoch kept so far (null
   * unless `keepBest`); checkpoints go here.
   */
  onEpochEnd(
    record: EpochRecord,
    history: EpochRecord[],
    report: MetricsReport | null,
    best: KeptEpoch | null,
  ): Promise<void>;
  /** When aborted, the loop stops before its next step by throwing the signal's reason. */
  signal?: AbortSignal;
  /** Monotonic seconds; injectable for tests. */
  now?: () => number;
}

/** A step's `[loss, ...metrics]` and the number of samples they are the means over. */
export interface StepValues {
  values: number[];
  samples: number;
}

/** The epoch whose weights `keepBest` keeps: its weights and its validation report. */
export interface KeptEpoch {
  /** 0-based. */
  epoch: number;
  weights: EncodedWeights;
  report: MetricsReport | null;
}

export interface LoopResult {
  history: EpochRecord[];
  stoppedEarly: boolean;
  /** With `keepBest`: the best epoch (null when no epoch had a monitored value). */
  best: KeptEpoch | null;
}

/** Sample-weighted running means of loss and metrics over the batches of one pass over a loader. */
class Means {
  samples = 0;
  private sums: number[] = [];
  add(values: number[], batchSize: number): void {
    values.forEach((value, i) => {
      this.sums[i] = (this.sums[i] ?? 0) + value * batchSize;
    });
    this.samples += batchSize;
  }
  loss(): number {
    return (this.sums[0] ?? Number.NaN) / this.samples;
  }
  metrics(names: readonly string[]): Record<string, number> {
    return Object.fromEntries(
      names.map((name, i) => [name, (this.sums[i + 1] ?? Number.NaN) / this.samples]),
    );
  }
}

function numbersOf(result: number | number[]): number[] {
  return Array.isArray(result) ? result : [result];
}

/**
 * Feeds `model`'s predictions on `batches` into `metrics` (loss and the task's metrics come
 * from the predictions); tensors are disposed per batch. Resolves to `metrics` and the step count.
 */
export async function evaluateBatches(
  model: tf.LayersModel,
  batches: AsyncIterable<Batch>,
  toTensors: ToTensors,
  metrics: MetricsAccumulator,
): Promise<{ metrics: MetricsAccumulator; steps: number }> {
  let steps = 0;
  for await (const batch of batches) {
    const { xs, ys } = toTensors(batch);
    try {
      const output = model.predict(xs, { batchSize: batch.batchSize }) as tf.Tensor;
      try {
        metrics.add(output.dataSync() as Float32Array, ys.dataSync() as Float32Array, xs.shape[0] as number);
      } finally {
        output.dispose();
      }
    } finally {
      tf.dispose([xs, ys]);
    }
    steps++;
  }
  return { metrics, steps };
}

/** Index of the first of `model`'s weights holding a NaN or an infinity, or -1. */
function nonFiniteWeight(model: tf.LayersModel): number {
  return model
    .getWeights()
    .findIndex((weight) => (weight.dataSync() as Float32Array).some((v) => !Number.isFinite(v)));
}

/**
 * Thrown when training diverges (as Keras's `TerminateOnNaN`): a step's loss is NaN or
 * infinite, or the weights are at the end of an epoch. Nothing of that epoch reaches its
 * callback, so the last checkpoint stays the last good one.
 */
function diverged(what: string, where: string, history: readonly EpochRecord[]): RunError {
  const last = history.at(-1);
  const kept = last
    ? `the last checkpoint (after epoch ${last.epoch + 1}) is kept`
    : "no epoch finished, so there is no checkpoint";
  return new RunError(
    `training diverged: ${what} at ${where}; the run stops, ${kept}; lower the learning rate (--learning-rate) or scale the features`,
  );
}

/**
 * The training loop: for each planned epoch, one optimizer step per pipeline batch
 * (`train`, not `fit`, so the data position is ours to checkpoint), validation when the
 * plan says so, the epoch callback (checkpoint), then early stopping by patience.
 * Input wait is the time spent awaiting the next batch. Throws `RunError` at the first step
 * whose loss is not finite (NaN, ±Infinity), and the abort reason when `signal` is aborted.
 */
export async function trainLoop(options: LoopOptions): Promise<LoopResult> {
  const { plan, progress } = options;
  const history = [...options.history];
  const monitorValidation = plan.validationBatchSize !== null;
  if (shouldStopEarly(history, options.patience, monitorValidation))
    return { history, stoppedEarly: true, best: options.best ?? null };
  try {
    return await epochs(options, history, monitorValidation);
  } catch (error) {
    progress.abort?.();
    throw error;
  }
}

/** The epochs of `trainLoop` from `options.startEpoch` on. */
async function epochs(
  options: LoopOptions,
  history: EpochRecord[],
  monitorValidation: boolean,
): Promise<LoopResult> {
  const now = options.now ?? (() => performance.now() / 1000);
  const { model, plan, data, metricNames, progress } = options;
  const train = options.train ?? (async (xs, ys) => numbersOf(await model.trainOnBatch(xs, ys)));
  let best = options.best ?? null;
  for (let epoch = options.startEpoch; epoch < plan.endEpoch; epoch++) {
    const planned = plan.epochs.find((e) => e.epoch === epoch);
    const started = now();
    let waitSeconds = 0;
    const means = new Means();
    let steps = 0;
    progress.epochStart(epoch, plan.endEpoch, planned?.steps ?? plan.stepsPerEpoch ?? 0);
    const iterator = data.epoch(epoch)[Symbol.asyncIterator]();
    const stats = (): StepStats => ({
      stepsDone: steps,
      samplesDone: means.samples,
      loss: means.loss(),
      metrics: means.metrics(metricNames),
      seconds: now() - started,
      waitSeconds,
    });
    const stepsInEpoch = planned?.steps ?? plan.stepsPerEpoch;
    for (;;) {
      options.signal?.throwIfAborted();
      const waitStart = now();
      const next = await iterator.next();
      waitSeconds += now() - waitStart;
      if (next.done) break;
      const batch = next.value;
      const { xs, ys } = options.toTensors(batch);
      let values: number[];
      let samples = batch.batchSize;
      try {
        const result = await train(xs, ys);
        if (Array.isArray(result)) values = result;
        else {
          values = result.values;
          samples = result.samples;
        }
      } finally {
        tf.dispose([xs, ys]);
      }
      const loss = values[0] as number;
      if (!Number.isFinite(loss)) {
        const at = `epoch ${epoch + 1}/${plan.endEpoch}, step ${steps + 1}${stepsInEpoch ? `/${stepsInEpoch}` : ""} (global step ${batch.step})`;
        throw diverged(`the loss is ${loss}`, at, history);
      }
      means.add(values, samples);
      steps++;
      progress.step(stats());
    }
    if (nonFiniteWeight(model) >= 0) {
      throw diverged("a weight is not finite", `the end of epoch ${epoch + 1}/${plan.endEpoch}`, history);
    }
    const trainStats = stats();
    let report: MetricsReport | null = null;
    if (planned?.validate ?? false) {
      report = options.evaluate
        ? await options.evaluate(epoch)
        : (
            await evaluateBatches(model, data.validation(epoch), options.toTensors, options.newMetrics())
          ).metrics.report();
    }
    const record: EpochRecord = {
      epoch,
      steps,
      samples: means.samples,
      loss: means.loss(),
      metrics: means.metrics(metricNames),
      valLoss: report?.loss ?? null,
      valMetrics: report?.metrics ?? null,
      seconds: now() - started,
    };
    history.push(record);
    if (options.keepBest && improved(history, monitorValidation)) {
      best = { epoch, weights: await captureModelWeights(model), report };
    }
    progress.epochEnd(record, trainStats);
    await options.onEpochEnd(record, history, report, best);
    if (shouldStopEarly(history, options.patience, monitorValidation))
      return { history, stoppedEarly: true, best };
  }
  return { history, stoppedEarly: false, best };
}
