import { vi } from "vitest";
import { main } from "./cli.ts";
import type { CliResult } from "./test-helpers.ts";

/**
 * Runs the CLI in this process (tfjs loads once for a whole test file) and captures what it
 * prints. Output is forced to the one-line-per-epoch form, as in CI.
 */
export async function runInProcess(args: string[]): Promise<CliResult> {
  let stdout = "";
  let stderr = "";
  const wasTTY = process.stdout.isTTY;
  process.stdout.isTTY = false;
  const out = vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
  const err = vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
  try {
    const code = await main(args);
    return { code, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
    process.stdout.isTTY = wasTTY;
  }
}
