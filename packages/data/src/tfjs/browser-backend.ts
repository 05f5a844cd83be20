import * as tf from "@tensorflow/tfjs";

/** The tfjs backends a browser may run, fastest first. */
export type BrowserBackendName = "webgpu" | "webgl" | "wasm" | "cpu";

export const BROWSER_BACKEND_NAMES: readonly BrowserBackendName[] = ["webgpu", "webgl", "wasm", "cpu"];

export interface BrowserBackendInit {
  /** The backend now active. */
  backend: BrowserBackendName;
  /** Why earlier choices were not used (one line), or `null` when the first one was. */
  warning: string | null;
}

/**
 * Makes the first backend of `order` that starts the active tfjs backend in a browser (default:
 * WebGPU, WebGL, wasm, cpu). A backend counts only when registered: tfjs registers WebGL and cpu;
 * import `@tensorflow/tfjs-backend-webgpu` or `@tensorflow/tfjs-backend-wasm` (with its
 * `setWasmPaths`) first to offer those. Rejects only when none starts.
 * @example const { backend } = await initBackend(); // "webgl" on most machines
 */
export async function initBackend(
  order: readonly BrowserBackendName[] = BROWSER_BACKEND_NAMES,
): Promise<BrowserBackendInit> {
  const reasons: string[] = [];
  for (const name of order) {
    if (tf.findBackendFactory(name) === null) {
      reasons.push(`${name} is not registered`);
      continue;
    }
    try {
      const set = await tf.setBackend(name);
      await tf.ready();
      if (set && tf.getBackend() === name) {
        return {
          backend: name,
          warning: reasons.length === 0 ? null : `${reasons.join("; ")}; using ${name}`,
        };
      }
      reasons.push(`${name} failed to start`);
    } catch (error) {
      reasons.push(`${name} failed to start (${(error as Error).message ?? String(error)})`);
    }
  }
  throw new Error(`no tfjs backend started: ${reasons.join("; ")}`);
}
