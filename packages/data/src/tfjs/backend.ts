import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import * as tf from "@tensorflow/tfjs";

/** The tfjs backends that run in Node without native binaries. */
export type BackendName = "wasm" | "cpu";

export const BACKEND_NAMES: readonly BackendName[] = ["wasm", "cpu"];

export interface InitBackendOptions {
  /**
   * Folder holding `tfjs-backend-wasm.wasm` and `tfjs-backend-wasm-simd.wasm`. Default: the
   * `dist/` folder of the installed `@tensorflow/tfjs-backend-wasm` package.
   */
  wasmDir?: string;
}

export interface BackendInit {
  /** The backend now active. */
  backend: BackendName;
  /** Why the requested backend was not used (one line), or `null` when it was. */
  warning: string | null;
}

const WASM_PACKAGE = "@tensorflow/tfjs-backend-wasm";
// Node has no worker-based wasm threads in tfjs 4, so only these two binaries are ever loaded.
const WASM_BINARIES = ["tfjs-backend-wasm.wasm", "tfjs-backend-wasm-simd.wasm"];

function installedWasmDir(): string {
  const entry = createRequire(import.meta.url).resolve(WASM_PACKAGE);
  return path.dirname(entry);
}

/** Starts the wasm backend; returns why it could not, or `null` on success. */
async function startWasm(options: InitBackendOptions): Promise<string | null> {
  let wasm: typeof import("@tensorflow/tfjs-backend-wasm");
  let dir: string;
  try {
    wasm = await import(WASM_PACKAGE);
    dir = options.wasmDir ?? installedWasmDir();
  } catch {
    return `${WASM_PACKAGE} is not installed`;
  }
  const missing = WASM_BINARIES.filter((name) => !existsSync(path.join(dir, name)));
  if (missing.length > 0) return `${missing.join(", ")} not found in ${dir}`;
  // In Node, tfjs would otherwise look for the binaries with fetch() beside the script URL;
  // a plain file-path prefix makes Emscripten read them with fs instead.
  wasm.setWasmPaths(dir.endsWith(path.sep) ? dir : dir + path.sep);
  let started = false;
  try {
    started = await tf.setBackend("wasm");
    await tf.ready();
  } catch (error) {
    return `wasm backend failed to start: ${(error as Error).message ?? String(error)}`;
  }
  return started && tf.getBackend() === "wasm" ? null : "wasm backend failed to start";
}

/**
 * Makes `name` the active tfjs backend in Node. `wasm` (faster than the plain JS `cpu`) loads
 * its binaries from the installed package on disk; if it cannot start, the `cpu` backend is
 * used and `warning` says why. Never throws for a wasm failure; rejects only if `cpu` fails.
 *
 * @example
 * const { backend, warning } = await initBackend("wasm");
 * if (warning) console.warn(warning);
 */
export async function initBackend(
  name: BackendName = "wasm",
  options: InitBackendOptions = {},
): Promise<BackendInit> {
  if (tf.getBackend() === name) return { backend: name, warning: null };
  let warning: string | null = null;
  if (name === "wasm") {
    const reason = await startWasm(options);
    if (reason === null) return { backend: "wasm", warning: null };
    warning = `${reason}; using the cpu backend instead`;
  }
  if (!(await tf.setBackend("cpu"))) throw new Error("tfjs cpu backend failed to start");
  await tf.ready();
  return { backend: "cpu", warning };
}
