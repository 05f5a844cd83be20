// A file of its own: a failed wasm start leaves tfjs's wasm module unable to start again in
// this process, and vitest runs each test file in a fresh one.
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { afterAll, describe, expect, it, vi } from "vitest";
import { tempDir } from "../row-index/test-helpers.ts";
import { initBackend } from "./backend.ts";

// tfjs and Emscripten log the failure themselves; keep the test output readable.
const quiet = [
  vi.spyOn(console, "warn").mockImplementation(() => {}),
  vi.spyOn(console, "error").mockImplementation(() => {}),
];
afterAll(() => {
  for (const spy of quiet) spy.mockRestore();
});

describe("initBackend fallback", () => {
  it("wasm binaries missing → cpu active and a warning naming the folder", async () => {
    const dir = path.join(tmpdir(), "stepwise-no-such-wasm-dir");
    const result = await initBackend("wasm", { wasmDir: dir });
    expect(result.backend).toBe("cpu");
    expect(result.warning).toContain(dir);
    expect(result.warning).toMatch(/not found.*using the cpu backend instead$/);
    expect(tf.getBackend()).toBe("cpu");
  });

  it("wasm binaries corrupt → cpu active and a one-line warning, no throw", async () => {
    const dir = tempDir("stepwise-bad-wasm-");
    for (const name of ["tfjs-backend-wasm.wasm", "tfjs-backend-wasm-simd.wasm"]) {
      writeFileSync(path.join(dir, name), "not a wasm module");
    }
    const result = await initBackend("wasm", { wasmDir: dir });
    expect(result.backend).toBe("cpu");
    expect(result.warning).toMatch(/^wasm backend failed to start.*using the cpu backend instead$/);
    expect(result.warning).not.toContain("\n");
    expect(tf.getBackend()).toBe("cpu");
  });
});
