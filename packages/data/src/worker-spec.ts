import type { WorkerSourceSpec } from "./types.ts";

/**
 * A source's `workerSpec` field: how a worker thread rebuilds it (`import(module)[exportName](...args)`),
 * or no field when an argument cannot cross threads (a function such as `onReject`, a stream…):
 * such a source stays on the thread that made it.
 */
export function workerSpecField(
  module: string,
  exportName: string,
  args: unknown[],
): { workerSpec?: WorkerSourceSpec } {
  try {
    structuredClone(args);
  } catch {
    return {};
  }
  return { workerSpec: { module, export: exportName, args } };
}
