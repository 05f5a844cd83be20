// Worker bootstrap in plain JavaScript: Node 20 cannot start a worker from a .ts file, and
// `--import` flags do not reach worker threads. Register tsx for this thread when it is
// installed, then load the TypeScript entry named in workerData (default: the pipeline worker).
import { workerData } from "node:worker_threads";

try {
  const { register } = await import("tsx/esm/api");
  register();
} catch (error) {
  if (error?.code !== "ERR_MODULE_NOT_FOUND") throw error;
  // No tsx: rely on the runtime's own TypeScript support (e.g. type stripping in newer Node).
}
await import(workerData?.entry ?? "./worker-entry.ts");
