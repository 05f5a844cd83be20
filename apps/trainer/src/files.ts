// Every file the trainer reads or writes goes through these few functions, so that every I/O
// failure reaches the user as one line naming the file and the reason (`FileError`), never as a
// bare `Unexpected end of JSON input` or `ENOSPC: no space left on device, write`.
import { open, readFile, rename, rm } from "node:fs/promises";
import { FileError } from "./errors.ts";

const REASONS: Partial<Record<string, string>> = {
  ENOENT: "no such file",
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EISDIR: "is a folder, not a file",
  ENOTDIR: "a part of the path is not a folder",
  ENOSPC: "no space left on device",
  EDQUOT: "disk quota exceeded",
  EROFS: "read-only file system",
  EMFILE: "too many open files",
  EIO: "input/output error",
};

/** The system error code of `error` (`ENOENT`, …), or `unknown`. */
export function errorCode(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return typeof code === "string" ? code : "unknown";
}

/** `error` as a `FileError` naming `path`: `path: cannot write (no space left on device)`. */
export function fileError(path: string, verb: "read" | "write", error: unknown): FileError {
  if (error instanceof FileError) return error;
  const code = errorCode(error);
  const reason =
    REASONS[code] ?? (error instanceof Error ? (error.message.split("\n")[0] ?? code) : String(error));
  const text = code === "ENOENT" && verb === "read" ? reason : `cannot ${verb} (${reason})`;
  return new FileError(path, `${path}: ${text}`, code);
}

/** The bytes of `path`. Throws `FileError` naming the file. */
export async function readBytes(path: string): Promise<Uint8Array> {
  try {
    const buffer = await readFile(path);
    return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  } catch (error) {
    throw fileError(path, "read", error);
  }
}

/** The text of `path` (UTF-8). Throws `FileError` naming the file. */
export async function readText(path: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    throw fileError(path, "read", error);
  }
}

/**
 * The JSON value in `path`. Throws `FileError` naming the file: code `ENOENT` when it is missing,
 * `invalid` when it is empty or not JSON (`runs/a/state.json: not valid JSON (Unexpected end …)`).
 * @example
 * const state = await readJsonFile<{ step: number }>("runs/a/checkpoint/state.json");
 */
export async function readJsonFile<T>(path: string): Promise<T> {
  return parseJson<T>(path, await readText(path));
}

/** The JSON value in `text`, read from `path`; `FileError` (code `invalid`) naming `path` when it is not JSON. */
export function parseJson<T>(path: string, text: string | Uint8Array): T {
  if (typeof text !== "string")
    text = Buffer.from(text.buffer, text.byteOffset, text.byteLength).toString("utf8");
  if (text.trim() === "") throw new FileError(path, `${path}: empty file, expected JSON`, "invalid");
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    const detail = (error as Error).message.split("\n")[0];
    throw new FileError(path, `${path}: not valid JSON (${detail})`, "invalid");
  }
}

async function writeThrough(path: string, data: string | Uint8Array, flags: string, sync: boolean) {
  const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : data;
  const handle = await open(path, flags);
  try {
    // Written from offset 0 and only then cut to length: an overwrite keeps the file's blocks.
    for (let done = 0; done < bytes.byteLength; ) {
      const { bytesWritten } = await handle.write(bytes, done, bytes.byteLength - done, done);
      done += bytesWritten;
    }
    await handle.truncate(bytes.byteLength);
    if (sync) await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Writes `data` to `path` through a temporary sibling and a rename, so readers never see half a
 * file; `sync` flushes the data to disk before the rename (for files a resume depends on).
 * On failure the temporary file is removed and a `FileError` names `path`.
 */
export async function writeFileAtomic(
  path: string,
  data: string | Uint8Array,
  options: { sync?: boolean } = {},
): Promise<void> {
  const temp = `${path}.tmp-${process.pid}`;
  try {
    await writeThrough(temp, data, "w", options.sync ?? false);
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true }).catch(() => {});
    throw fileError(path, "write", error);
  }
}

/**
 * Replaces the content of an existing small file in place (no new file, no rename). For
 * recording a failure when the disk is full: the blocks the file already has can still take
 * a few bytes when a new file cannot be created. Throws `FileError` naming `path`.
 */
export async function overwriteInPlace(path: string, data: string): Promise<void> {
  try {
    await writeThrough(path, data, "r+", true);
  } catch (error) {
    throw fileError(path, "write", error);
  }
}
