import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { vi } from "vitest";
import { main } from "./cli.ts";

export const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const TSX = fileURLToPath(new URL("../../../node_modules/.bin/tsx", import.meta.url));
const CLI = fileURLToPath(new URL("./cli.ts", import.meta.url));

/** Runs the CLI in-process and captures what it prints. */
export async function runCli(argv: string[]): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const out = vi.spyOn(process.stdout, "write").mockImplementation((chunk) => {
    stdout += String(chunk);
    return true;
  });
  const err = vi.spyOn(process.stderr, "write").mockImplementation((chunk) => {
    stderr += String(chunk);
    return true;
  });
  try {
    const exitCode = await main(argv);
    return { exitCode, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

/** Runs the CLI as a separate process, as a user would (exit code, no stack traces). */
export function spawnCli(
  argv: string[],
  cwd = REPO_ROOT,
): { exitCode: number; stdout: string; stderr: string } {
  const result = spawnSync(TSX, [CLI, ...argv], {
    cwd,
    encoding: "utf8",
    env: { ...process.env, FORCE_COLOR: "0" },
  });
  return { exitCode: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}
