/**
 * @stepwise/data/tfjs — batches as TensorFlow.js tensors, in-memory tensors as a source, a
 * `tf.data.Dataset` view for `model.fitDataset`, and a Node backend initialiser. Needs
 * `@tensorflow/tfjs` (and `@tensorflow/tfjs-backend-wasm` for the wasm backend).
 */

export {
  BACKEND_NAMES,
  type BackendInit,
  type BackendName,
  type InitBackendOptions,
  initBackend,
} from "./backend.ts";
export { type AsTfDatasetOptions, asTfDataset } from "./dataset.ts";
export { TensorAdapterError } from "./errors.ts";
export { tensorSource } from "./tensor-source.ts";
export { type BatchToTensorsOptions, batchToTensors, TASKS, type Task, type TensorBatch } from "./tensors.ts";
