import * as tf from "@tensorflow/tfjs";
import type { Batch } from "../types.ts";
import { type BatchToTensorsOptions, batchToTensors, type TensorBatch } from "./tensors.ts";

export type AsTfDatasetOptions = BatchToTensorsOptions;

/**
 * Exposes a batch stream as a `tf.data.Dataset` of `{xs, ys}` (see {@link batchToTensors}) for
 * `model.fitDataset` / `evaluateDataset`. Tensors are made one batch at a time as tfjs pulls
 * them and are disposed by tfjs after each step, as for any dataset.
 *
 * `batches` is called each time tfjs opens an iterator. With
 * `fitDataset(ds, {batchesPerEpoch: plan.stepsPerEpoch, epochs})` tfjs opens one iterator for the
 * whole call and reads `batchesPerEpoch` batches per epoch from it, so `batches()` must yield
 * every epoch's batches in order (starting at the step of `initialEpoch`). Without
 * `batchesPerEpoch` it opens a new iterator per epoch (and one extra before the first), each
 * read until it ends. `evaluateDataset` (and validation inside `fitDataset`) opens a new one
 * per evaluation: pass the validation batches from their start. tfjs never closes an iterator
 * it stops reading, so release the pipeline (e.g. `pipeline.close()`) after `fitDataset`.
 *
 * @example
 * const ds = asTfDataset(() => trainingBatches(), { task: "classification" });
 * await model.fitDataset(ds, { batchesPerEpoch: plan.stepsPerEpoch, epochs: plan.epochs });
 */
export function asTfDataset(
  batches: () => AsyncIterable<Batch>,
  options: AsTfDatasetOptions,
): tf.data.Dataset<TensorBatch> {
  return tf.data.generator(async function* () {
    for await (const batch of batches()) yield batchToTensors(batch, options);
  });
}
