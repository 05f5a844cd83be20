/**
 * @stepwise/data/tfjs for browsers: batches as tensors, tensors as a source, a `tf.data.Dataset`
 * view, and a backend initialiser that picks WebGPU, WebGL, wasm or cpu, whichever starts first.
 */

export {
  BROWSER_BACKEND_NAMES,
  type BrowserBackendInit,
  type BrowserBackendName,
  initBackend,
} from "./browser-backend.ts";
export { type AsTfDatasetOptions, asTfDataset } from "./dataset.ts";
export { TensorAdapterError } from "./errors.ts";
export { tensorSource } from "./tensor-source.ts";
export { type BatchToTensorsOptions, batchToTensors, TASKS, type Task, type TensorBatch } from "./tensors.ts";
