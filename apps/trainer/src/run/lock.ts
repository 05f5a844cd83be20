// A run folder's lock file: created exclusively (`open(path, "wx")`, which fails when the file
// exists), so of two trainers started together exactly one gets it. It records who holds it
// (pid, host, start time and a random token); a lock whose process is gone is taken over.
import { randomUUID } from "node:crypto";
import { readFileSync, rmSync } from "node:fs";
import { open, readFile, rm } from "node:fs/promises";
import { hostname } from "node:os";
import { resolve } from "node:path";
import { RunError } from "../errors.ts";
import { errorCode, fileError } from "../files.ts";

/** What a lock file holds (JSON, one line). */
export interface LockHolder {
  pid: number;
  host: string;
  startedAt: string;
  token: string;
}

/** Lock files this process holds (or is taking), by absolute path, with their exact text. */
const held = new Map<string, string>();

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return errorCode(error) === "EPERM";
  }
}

/** The holder recorded in a lock's text; a bare pid is what older trainers wrote. Null when unreadable. */
export function parseHolder(text: string): LockHolder | null {
  if (/^\d+\s*$/.test(text)) {
    return { pid: Number(text.trim()), host: hostname(), startedAt: "", token: "" };
  }
  try {
    const value = JSON.parse(text) as Partial<LockHolder>;
    if (Number.isSafeInteger(value.pid) && typeof value.host === "string") return value as LockHolder;
  } catch {}
  return null;
}

async function readLock(path: string): Promise<string | null> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    if (errorCode(error) === "ENOENT") return null;
    throw fileError(path, "read", error);
  }
}

async function create(path: string, text: string): Promise<boolean> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, "wx");
  } catch (error) {
    if (errorCode(error) === "EEXIST") return false;
    throw fileError(path, "write", error);
  }
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
  return true;
}

function record(): string {
  return `${JSON.stringify({ pid: process.pid, host: hostname(), startedAt: new Date().toISOString(), token: randomUUID() })}\n`;
}

/** True when `holder` is a process of this host that is gone (a pid of this process not in `held` was an earlier process's). */
function gone(holder: LockHolder): boolean {
  return holder.host === hostname() && (holder.pid === process.pid || !alive(holder.pid));
}

/**
 * Removes the stale lock whose text is `staleText`, never a lock another process has taken: only
 * the holder of `path.takeover` (created exclusively, like the lock) may remove a lock, and it
 * does so only while the file still holds that text. Returns without removing anything when
 * another process is taking over at the moment; the caller tries again.
 */
async function removeStale(path: string, staleText: string): Promise<void> {
  const mutex = `${path}.takeover`;
  if (!(await create(mutex, record()))) {
    const text = await readLock(mutex);
    const holder = text === null ? null : parseHolder(text);
    // A takeover cut short by a crash leaves its file behind: it is stale in turn.
    if (holder && gone(holder) && (await readLock(mutex)) === text) await rm(mutex, { force: true });
    await pause(10);
    return;
  }
  try {
    if ((await readLock(path)) === staleText) await rm(path, { force: true });
  } finally {
    await rm(mutex, { force: true });
  }
}

const pause = (ms: number) => new Promise((done) => setTimeout(done, ms));

/**
 * Takes the lock file `path` for the folder `dir` and returns its release function. Refuses
 * (`RunError`, one line) while a live process holds it, or a process on another host, whose
 * life cannot be checked from here; a lock left by a process that is gone is taken over.
 */
export async function takeLock(dir: string, path: string): Promise<() => Promise<void>> {
  const key = resolve(path);
  if (held.has(key)) throw new RunError(`${dir} is already in use by this process`);
  const text = record();
  held.set(key, text);
  try {
    let unreadable = 0;
    // Time-bound rather than count-bound: on a busy machine a takeover may take a while.
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      if (await create(path, text)) {
        return async () => {
          if ((await readLock(path)) === text) await rm(path, { force: true });
          held.delete(key);
        };
      }
      const current = await readLock(path);
      if (current === null) continue;
      const holder = parseHolder(current);
      if (holder === null) {
        // Created an instant ago and not yet written, or left empty by a crash: wait a little.
        if (++unreadable < 20) {
          await pause(50);
          continue;
        }
      } else if (holder.host !== hostname()) {
        throw new RunError(
          `${dir} is in use by process ${holder.pid} on host ${holder.host}; wait for it to finish (or delete ${path} if no trainer runs there)`,
        );
      } else if (!gone(holder)) {
        throw new RunError(
          `${dir} is in use by process ${holder.pid}; wait for it to finish or stop it (or delete ${path} if that process is not a trainer)`,
        );
      }
      await removeStale(path, current);
    }
    throw new RunError(`${dir}: could not take ${path}; other processes keep taking it`);
  } catch (error) {
    held.delete(key);
    throw error;
  }
}

/** Removes every lock this process holds, synchronously: for an exit that cannot wait. */
export function releaseLocksSync(): void {
  for (const [path, text] of held) {
    try {
      if (readFileSync(path, "utf8") === text) rmSync(path, { force: true });
    } catch {}
    held.delete(path);
  }
}
