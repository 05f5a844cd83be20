import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, onTestFinished } from "vitest";
import { getCurrentTest } from "vitest/suite";

const CLI = fileURLToPath(new URL("./cli.ts", import.meta.url));
// vitest's module runner has no import.meta.resolve; require.resolve finds the same tsx entry.
const TSX = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
/** Repository root: the working directory of `pnpm trainer`. */
export const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** CLI processes started by this test file that have not exited yet. */
const running = new Set<ChildProcess>();

/** Kills `child` if it still runs and resolves once it has exited, so it writes nothing more. */
async function stop(child: ChildProcess): Promise<void> {
  if (!running.has(child)) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGKILL");
  await exited;
}

/**
 * Starts the CLI as one node process (tsx as an import hook rather than the tsx wrapper, which
 * would put a second process between the test and the trainer and make kill -9 miss it). A process
 * still running when its test ends, for instance because the test failed, is killed then.
 */
export function spawnCli(
  args: string[],
  cwd = REPO_ROOT,
  env: Record<string, string> = {},
): { child: ChildProcess; done: Promise<CliResult> } {
  const child = spawn(process.execPath, ["--conditions=@stepwise/source", "--import", TSX, CLI, ...args], {
    cwd,
    env: { ...process.env, FORCE_COLOR: "0", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  running.add(child);
  child.once("exit", () => running.delete(child));
  child.once("error", () => running.delete(child));
  if (getCurrentTest()) onTestFinished(() => stop(child));
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const done = new Promise<CliResult>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
  return { child, done };
}

/** Runs the CLI to the end. */
export function runCli(args: string[], cwd = REPO_ROOT): Promise<CliResult> {
  return spawnCli(args, cwd).done;
}

/**
 * A fresh temporary folder, removed with everything in it when the test that asked for it ends
 * (passed or failed), or, asked for at module or `describe` level, when that suite ends. CLI
 * processes still running then are killed first, so none writes into the folder after it is gone.
 * Not for `beforeAll`, where neither hook can be registered: take it at module level instead.
 */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const remove = async () => {
    await Promise.all([...running].map(stop));
    await rm(dir, { recursive: true, force: true, maxRetries: 3 });
  };
  if (getCurrentTest()) onTestFinished(remove);
  else afterAll(remove);
  return dir;
}

/**
 * A small deterministic CSV: numeric features x1..x3, a categorical `colour`, an `id` column and
 * a string label that depends on the features (so a model can learn it). No randomness involved.
 */
export async function writeToyCsv(path: string, numRows: number): Promise<void> {
  const lines = ["id,x1,x2,colour,x3,kind"];
  const colours = ["red", "green", "blue"];
  for (let i = 0; i < numRows; i++) {
    const x1 = Math.sin(i * 1.7) * 3;
    const x2 = Math.cos(i * 0.9) * 2;
    const x3 = ((i * 37) % 11) / 11;
    const kind = x1 + x2 > 1 ? "high" : x1 + x2 < -1 ? "low" : "mid";
    lines.push(`r${i},${x1.toFixed(3)},${x2.toFixed(3)},${colours[i % 3]},${x3.toFixed(3)},${kind}`);
  }
  await writeFile(path, `${lines.join("\n")}\n`);
}

/**
 * Polls until `condition` holds; fails early with the CLI's output when the process ended first,
 * or after `timeoutMs` (generous: the machine may be busy).
 */
export async function whileRunning(
  cli: { done: Promise<CliResult> },
  condition: () => Promise<boolean>,
  timeoutMs = 60_000,
): Promise<void> {
  let ended: CliResult | null = null;
  cli.done.then((result) => {
    ended = result;
  });
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (ended) throw new Error(`the CLI ended first: ${JSON.stringify(ended)}`);
    if (Date.now() > deadline) throw new Error("timed out waiting for the condition");
    await new Promise((done) => setTimeout(done, 5));
  }
}
