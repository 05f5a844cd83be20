/** Bad input to the tfjs adapter: a label that does not fit the task, or tensors of the wrong shape. */
export class TensorAdapterError extends Error {
  override readonly name = "TensorAdapterError";
}
