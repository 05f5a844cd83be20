import { writeFileSync } from "node:fs";
import { mkdir, readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { FileError, RunError, UsageError } from "../errors.ts";
import { overwriteInPlace, readJsonFile, writeFileAtomic } from "../files.ts";
import { takeLock } from "./lock.ts";

/**
 * `running` until the very end; only `complete` means the model and every file are final.
 * `failed`: stopped by an error (see `error`); `interrupted`: stopped by SIGINT or SIGTERM.
 */
export type RunStatus = "running" | "failed" | "interrupted" | "complete";

export interface StatusFile {
  status: RunStatus;
  updatedAt: string;
  /** One-line reason when failed. */
  error?: string;
  stoppedEarly?: boolean;
  epochsDone?: number;
  /** 0-based epoch whose weights the saved model holds (as metrics.json's `epoch`). */
  keptEpoch?: number;
  /** Whether those are the best epoch's weights restored at the end (restore-best), not the last epoch's. */
  restoredBest?: boolean;
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
  /** Final metrics of the saved model: the kept epoch's validation report, confusion matrix included. */
  metrics: "metrics.json",
  model: "model",
  checkpoint: "checkpoint",
  lock: "run.lock",
  /** Present when the run trains data-parallel: `{ version: 1, worldSize }` of its latest start. */
  ranks: "ranks.json",
} as const;

/** A run folder's JSON text of `value` (pretty, newline-terminated). */
export function jsonText(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** Writes pretty JSON atomically. Throws `FileError` naming the file. */
export async function writeJson(path: string, value: unknown): Promise<void> {
  await writeFileAtomic(path, jsonText(value));
}

function statusText(status: Omit<StatusFile, "updatedAt">): string {
  return jsonText({ ...status, updatedAt: new Date().toISOString() });
}

/**
 * Records the run's status. When the atomic write fails (a full disk cannot take a new file),
 * the existing status.json is overwritten in place, so a failure is still recorded; throws
 * (`FileError`) only when neither works.
 */
export async function writeStatus(dir: string, status: Omit<StatusFile, "updatedAt">): Promise<void> {
  const path = join(dir, RUN_FILES.status);
  const text = statusText(status);
  try {
    await writeFileAtomic(path, text);
  } catch (error) {
    await overwriteInPlace(path, text).catch(() => {
      throw error;
    });
  }
}

/** `writeStatus` for an exit that cannot wait (a second Ctrl-C); best effort, in place. */
export function writeStatusSync(dir: string, status: Omit<StatusFile, "updatedAt">): void {
  try {
    writeFileSync(join(dir, RUN_FILES.status), statusText(status));
  } catch {}
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

/**
 * Marks the run folder as in use by this process; refuses (`RunError`) while another live
 * process holds it, since two writers would interleave checkpoints. A lock left by a killed
 * process is taken over. Returns the release function.
 */
export function lockRun(dir: string): Promise<() => Promise<void>> {
  return takeLock(dir, join(dir, RUN_FILES.lock));
}

/** Checks that `dir` is a run folder; returns its config. Throws `RunError` with the fix when it is not. */
export async function openRun(
  dir: string,
  flag: string,
): Promise<{ config: Record<string, unknown>; status: StatusFile | null; statusError: FileError | null }> {
  const info = await stat(dir).catch(() => null);
  if (!info?.isDirectory())
    throw new RunError(`${flag} ${dir}: no such run folder; give the folder a train run wrote (its --out)`);
  let config: Record<string, unknown>;
  try {
    config = await readJsonFile(join(dir, RUN_FILES.config));
  } catch (error) {
    if (error instanceof FileError && error.code === "invalid") throw error;
    throw new RunError(
      `${flag} ${dir}: not a run folder (no readable ${RUN_FILES.config}); give the folder a train run wrote`,
    );
  }
  // The status is the run's output, rewritten as it goes: a resume does without it.
  let status: StatusFile | null = null;
  let statusError: FileError | null = null;
  try {
    status = await readJsonFile<StatusFile>(join(dir, RUN_FILES.status));
  } catch (error) {
    if (!(error instanceof FileError)) throw error;
    if (error.code !== "ENOENT") statusError = error;
  }
  return { config, status, statusError };
}

/** Like `openRun`, and also requires a finished run (for evaluate and predict). */
export async function openCompleteRun(
  dir: string,
  flag: string,
): Promise<{ config: Record<string, unknown> }> {
  const run = await openRun(dir, flag);
  if (run.statusError) throw run.statusError;
  if (run.status?.status !== "complete") {
    const state = run.status?.status ?? "unknown";
    throw new RunError(
      `${flag} ${dir}: the run is not complete (status ${state}); finish it with train --resume ${dir}, or give a complete run`,
    );
  }
  return run;
}

/** Reads a JSON file of a run folder. Throws `FileError` naming the file. */
export function readRunJson<T>(dir: string, name: string): Promise<T> {
  return readJsonFile<T>(join(dir, name));
}
