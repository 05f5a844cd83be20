// A run folder's lock file: created exclusively (`open(path, "wx")`, which fails when the file
// exists), so of two trainers started together exactly one gets it. It records who holds it
// (pid, host, start time and a random token); a lock whose process is gone is taken over.
import { randomUUID } from "node:crypto";
import { readFileSync, rmSync } from "node:fs";
import { link, open, readFile, rename, rm } from "node:fs/promises";
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

/**
 * Removes the stale lock whose text is `staleText`, without ever removing a lock another process
 * has just taken: the file is first renamed aside (atomic), and put back when it turns out not to
 * be the stale one.
 */
async function removeStale(path: string, staleText: string): Promise<void> {
  const aside = `${path}.stale-${process.pid}-${randomUUID()}`;
  try {
    await rename(path, aside);
  } catch (error) {
    if (errorCode(error) === "ENOENT") return;
    throw fileError(path, "write", error);
  }
  const moved = await readFile(aside, "utf8").catch(() => null);
  if (moved !== staleText) await link(aside, path).catch(() => {});
  await rm(aside, { force: true });
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
  const text = `${JSON.stringify({ pid: process.pid, host: hostname(), startedAt: new Date().toISOString(), token: randomUUID() })}\n`;
  held.set(key, text);
  try {
    let unreadable = 0;
    for (let attempt = 0; attempt < 100; attempt++) {
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
      } else if (holder.pid !== process.pid && alive(holder.pid)) {
        throw new RunError(
          `${dir} is in use by process ${holder.pid}; wait for it to finish or stop it (or delete ${path} if that process is not a trainer)`,
        );
      }
      // The holder is gone (a pid of this process not in `held` was an earlier process's).
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
