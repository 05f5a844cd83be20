import * as tf from "@tensorflow/tfjs";
import type { Batch, RowRef } from "../types.ts";
import { TensorAdapterError } from "./errors.ts";

/**
 * What the labels mean, which decides the dtype and shape of `ys`:
 * - `classification`: class indices as float32 `[B]` — sparse labels for
 *   `sparseCategoricalCrossentropy` with a softmax output `[B, numClasses]` (float32, not int32:
 *   tfjs's sparse loss applies `floor`, which rejects int32);
 * - `binary`: 0/1 (or a probability) as float32 `[B, 1]`, for `binaryCrossentropy` with a sigmoid output `[B, 1]`;
 * - `regression`: values as float32 `[B, 1]`, matching a `Dense({units: 1})` output
 *   (a `[B]` target against a `[B, 1]` output would broadcast to `[B, B]` in MSE).
 */
export type Task = "classification" | "binary" | "regression";

export const TASKS: readonly Task[] = ["classification", "binary", "regression"];

/** A batch as tensors: `xs` float32 `[B, numFeatures]`, `ys` as {@link Task} says. */
// A type alias rather than an interface so that it is a tfjs TensorContainer.
export type TensorBatch = {
  xs: tf.Tensor2D;
  ys: tf.Tensor1D | tf.Tensor2D;
};

export interface BatchToTensorsOptions {
  task: Task;
}

function where(row: RowRef | undefined, i: number): string {
  if (row === undefined) return `batch row ${i}`;
  const file = row.file === null ? "" : `${row.file}${row.line === null ? "" : `:${row.line}`}: `;
  return `${file}data row ${row.index}`;
}

const EXPECTED: Record<Task, string> = {
  classification: "a class index (integer >= 0)",
  binary: "a value in [0, 1]",
  regression: "a finite number",
};

function labelOk(task: Task, y: number): boolean {
  if (task === "classification") return Number.isInteger(y) && y >= 0;
  if (task === "binary") return y >= 0 && y <= 1;
  return Number.isFinite(y);
}

/** Copies the labels; throws on the first one that the task cannot take. */
function labelsFor(batch: Batch, task: Task): Float32Array {
  const { batchSize, rows } = batch;
  const out = batch.ys.slice(0, batchSize);
  for (let i = 0; i < batchSize; i++) {
    const y = out[i] as number;
    if (!labelOk(task, y)) {
      throw new TensorAdapterError(`${where(rows[i], i)}: label expected ${EXPECTED[task]}, got ${y}`);
    }
  }
  return out;
}

/**
 * Turns one batch into new tensors owned by the caller (dispose them, or hand them to tfjs,
 * which disposes what a dataset yields). The data is copied, so the batch's arrays may be
 * reused afterwards: the cpu backend would otherwise keep a reference to them.
 *
 * Throws {@link TensorAdapterError} when a label does not fit `task`, or when the arrays are
 * shorter than `batchSize * numFeatures`.
 *
 * @example
 * const { xs, ys } = batchToTensors(batch, { task: "classification" });
 * try { model.trainOnBatch(xs, ys) } finally { tf.dispose([xs, ys]) }
 */
export function batchToTensors(batch: Batch, options: BatchToTensorsOptions): TensorBatch {
  const { batchSize, numFeatures } = batch;
  const numValues = batchSize * numFeatures;
  if (batch.xs.length < numValues || batch.ys.length < batchSize) {
    throw new TensorAdapterError(
      `batch at step ${batch.step}: expected ${numValues} feature values and ${batchSize} labels, ` +
        `got ${batch.xs.length} and ${batch.ys.length}`,
    );
  }
  const labels = labelsFor(batch, options.task);
  const xs = tf.tensor2d(batch.xs.slice(0, numValues), [batchSize, numFeatures], "float32");
  const ys =
    options.task === "classification"
      ? tf.tensor1d(labels, "float32")
      : tf.tensor2d(labels, [batchSize, 1], "float32");
  return { xs, ys };
}
