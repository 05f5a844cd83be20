import { mkdir, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { RunError, UsageError } from "../errors.ts";
import { writeFileAtomic } from "../model/file-io.ts";

/** `running` until the very end; only `complete` means the model and every file are final. */
export type RunStatus = "running" | "failed" | "complete";

export interface StatusFile {
  status: RunStatus;
  updatedAt: string;
  /** One-line reason when failed. */
  error?: string;
  stoppedEarly?: boolean;
  epochsDone?: number;
}

/** Names of the files in a run folder. */
export const RUN_FILES = {
  config: "config.json",
  plan: "plan.json",
  schema: "schema.json",
  fingerprint: "fingerprint.json",
  history: "history.csv",
  status: "status.json",
  curves: "curves.svg",
  model: "model",
  checkpoint: "checkpoint",
  lock: "run.lock",
  /** Present when the run trains data-parallel: `{ version: 1, worldSize }` of its latest start. */
  ranks: "ranks.json",
} as const;

/** Writes pretty JSON atomically. */
export async function writeJson(path: string, value: unknown): Promise<void> {
  await writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`);
}

export async function writeStatus(dir: string, status: Omit<StatusFile, "updatedAt">): Promise<void> {
  await writeJson(join(dir, RUN_FILES.status), { ...status, updatedAt: new Date().toISOString() });
}

async function isEmptyOrMissing(dir: string): Promise<boolean> {
  const entries = await readdir(dir).catch((error: NodeJS.ErrnoException) =>
    error.code === "ENOENT" ? [] : null,
  );
  return entries !== null && entries.length === 0;
}

/**
 * Creates the folder for a new run and returns its path. A run never mixes with another's:
 * when `dir` already holds files, the first free `dir-2`, `dir-3`, … is used instead (so
 * running the same config twice keeps both runs). Throws `UsageError` when `dir` is a file.
 */
export async function createRunFolder(dir: string): Promise<string> {
  const info = await stat(dir).catch(() => null);
  if (info && !info.isDirectory()) throw new UsageError(`--out ${dir} is a file; give a folder for the run`);
  let target = dir;
  for (let n = 2; !(await isEmptyOrMissing(target)); n++) target = `${dir}-${n}`;
  await mkdir(target, { recursive: true });
  return target;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Marks the run folder as in use by this process; refuses (`RunError`) while another live
 * process holds it, since two writers would interleave checkpoints. A lock left by a killed
 * process is taken over. Returns the release function.
 */
export async function lockRun(dir: string): Promise<() => Promise<void>> {
  const path = join(dir, RUN_FILES.lock);
  const holder = Number.parseInt(await readFile(path, "utf8").catch(() => ""), 10);
  if (Number.isSafeInteger(holder) && holder !== process.pid && alive(holder)) {
    throw new RunError(
      `${dir} is in use by process ${holder}; wait for it to finish or stop it (or delete ${join(dir, RUN_FILES.lock)} if that process is not a trainer)`,
    );
  }
  await writeFile(path, `${process.pid}\n`);
  return () => rm(path, { force: true });
}

async function readJsonIn<T>(dir: string, name: string): Promise<T> {
  const text = await readFile(join(dir, name), "utf8");
  return JSON.parse(text) as T;
}

/** Checks that `dir` is a run folder; returns its config. Throws `RunError` with the fix when it is not. */
export async function openRun(
  dir: string,
  flag: string,
): Promise<{ config: Record<string, unknown>; status: StatusFile | null }> {
  const info = await stat(dir).catch(() => null);
  if (!info?.isDirectory())
    throw new RunError(`${flag} ${dir}: no such run folder; give the folder a train run wrote (its --out)`);
  let config: Record<string, unknown>;
  try {
    config = await readJsonIn(dir, RUN_FILES.config);
  } catch {
    throw new RunError(
      `${flag} ${dir}: not a run folder (no readable ${RUN_FILES.config}); give the folder a train run wrote`,
    );
  }
  const status = await readJsonIn<StatusFile>(dir, RUN_FILES.status).catch(() => null);
  return { config, status };
}

/** Like `openRun`, and also requires a finished run (for evaluate and predict). */
export async function openCompleteRun(
  dir: string,
  flag: string,
): Promise<{ config: Record<string, unknown> }> {
  const run = await openRun(dir, flag);
  if (run.status?.status !== "complete") {
    const state = run.status?.status ?? "unknown";
    throw new RunError(
      `${flag} ${dir}: the run is not complete (status ${state}); finish it with train --resume ${dir}, or give a complete run`,
    );
  }
  return run;
}

/** Reads a JSON file of a run folder. */
export function readRunJson<T>(dir: string, name: string): Promise<T> {
  return readJsonIn<T>(dir, name);
}
