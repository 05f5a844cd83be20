import type * as tf from "@tensorflow/tfjs";
import { arraySource, type RandomAccessSource } from "../sources/array.ts";
import { TensorAdapterError } from "./errors.ts";

/**
 * A random-access source over in-memory tensors: `x` `[numSamples, numFeatures]` and `y`
 * `[numSamples]` or `[numSamples, 1]` (class indices or values; one-hot `[N, k]` labels are
 * rejected — take `argMax(-1)` first). The data is read once with `dataSync` into typed arrays,
 * then served as `arraySource` serves arrays; `x` and `y` stay the caller's (nothing is
 * disposed, later changes to them are not seen).
 *
 * Throws {@link TensorAdapterError} when the shapes do not match, and `SourceError` (from
 * `arraySource`) for no samples or a label that is not a finite number.
 *
 * @example
 * const source = tensorSource(tf.tensor2d([[1, 2], [3, 4]]), tf.tensor1d([0, 1]));
 */
export function tensorSource(x: tf.Tensor2D, y: tf.Tensor): RandomAccessSource {
  if (x.rank !== 2) {
    throw new TensorAdapterError(`x expected shape [numSamples, numFeatures], got [${x.shape}]`);
  }
  const [numSamples, numFeatures] = x.shape as [number, number];
  const labelShapeOk =
    (y.rank === 1 && y.shape[0] === numSamples) ||
    (y.rank === 2 && y.shape[0] === numSamples && y.shape[1] === 1);
  if (!labelShapeOk) {
    throw new TensorAdapterError(
      `y expected shape [${numSamples}] or [${numSamples}, 1] to match x [${x.shape}], got [${y.shape}]`,
    );
  }
  // Copied, so that the source neither aliases backend memory (the cpu backend hands out its
  // own arrays) nor depends on the tensors' lifetime.
  return arraySource({ x: Float32Array.from(x.dataSync()), y: y.dataSync(), numFeatures });
}
