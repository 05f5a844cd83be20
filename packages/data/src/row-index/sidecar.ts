import { createHash } from "node:crypto";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { FINGERPRINT_BYTES } from "./fingerprint.ts";
import type { RecordTable } from "./table.ts";

/** Bumped whenever the layout below or the record scan changes: older sidecars are then rebuilt. */
export const INDEX_FORMAT_VERSION = 2;

const MAGIC = "SWROWIDX";
const FINGERPRINT_AT = 56;
const CHECKSUM_AT = FINGERPRINT_AT + FINGERPRINT_BYTES;
const FIXED_BYTES = CHECKSUM_AT + 32;

/** What a sidecar must match to be used: the file it indexes, as `stat` sees it now. */
export interface FileKey {
  /** Absolute path. */
  path: string;
  sizeBytes: number;
  mtimeMs: number;
}

/** Default sidecar folder: `.stepwise-index/` beside the data file. */
export function defaultIndexDir(file: string): string {
  return join(dirname(resolve(file)), ".stepwise-index");
}

/**
 * The sidecar's path: the file's name (to be recognisable) plus a hash of its absolute path, so
 * one shared `indexDir` can hold the indexes of same-named files from different folders. Line
 * indexes (JSON Lines) end in `.lineidx`: a file indexed both ways keeps both.
 */
export function sidecarPath(file: string, indexDir: string | null, records: "csv" | "lines" = "csv"): string {
  const absolute = resolve(file);
  const tag = createHash("sha256").update(absolute).digest("hex").slice(0, 12);
  return join(
    indexDir ?? defaultIndexDir(absolute),
    `${basename(absolute)}.${tag}.${records === "lines" ? "lineidx" : "rowidx"}`,
  );
}

const pad8 = (n: number): number => Math.ceil(n / 8) * 8;

/** SHA-256 of a sidecar's bytes except the checksum itself: a damaged sidecar is never used. */
function checksumOf(bytes: Buffer): Buffer {
  return createHash("sha256")
    .update(bytes.subarray(0, CHECKSUM_AT))
    .update(bytes.subarray(FIXED_BYTES))
    .digest();
}

/** A cached index: the table, and the fingerprint of the content it was built from (see `fingerprint.ts`). */
export interface CachedTable {
  table: RecordTable;
  fingerprint: Buffer;
}

/**
 * Little-endian layout: magic, format version, size, mtime, record/step/mark counts, path length,
 * the content fingerprint, a checksum of everything else, then the path, the low offsets, the
 * high steps and the line marks, each 8-byte aligned so the arrays can be viewed in place when
 * the sidecar is read back.
 */
export function encodeSidecar(key: FileKey, table: RecordTable, fingerprint: Buffer): Buffer {
  const path = Buffer.from(key.path, "utf8");
  const pathEnd = FIXED_BYTES + pad8(path.length);
  const lowEnd = pathEnd + pad8(table.numRecords * 4);
  const stepsEnd = lowEnd + table.highSteps.byteLength;
  const out = Buffer.alloc(stepsEnd + table.lineMarks.byteLength);
  out.write(MAGIC, 0, "latin1");
  out.writeUInt32LE(INDEX_FORMAT_VERSION, 8);
  out.writeDoubleLE(key.sizeBytes, 16);
  out.writeDoubleLE(key.mtimeMs, 24);
  out.writeDoubleLE(table.numRecords, 32);
  out.writeUInt32LE(table.highSteps.length, 40);
  out.writeUInt32LE(table.lineMarks.length, 44);
  out.writeUInt32LE(path.length, 48);
  path.copy(out, FIXED_BYTES);
  const bytes = (array: ArrayBufferView) => Buffer.from(array.buffer, array.byteOffset, array.byteLength);
  bytes(table.low.subarray(0, table.numRecords)).copy(out, pathEnd);
  bytes(table.highSteps).copy(out, lowEnd);
  bytes(table.lineMarks).copy(out, stepsEnd);
  fingerprint.copy(out, FINGERPRINT_AT);
  checksumOf(out).copy(out, CHECKSUM_AT);
  return out;
}

/**
 * The table in `bytes` when it is an intact current-format sidecar of exactly `key`, else null
 * (stale or damaged). The caller still checks the fingerprint against the file's content.
 */
export function decodeSidecar(bytes: Buffer, key: FileKey): CachedTable | null {
  if (bytes.length < FIXED_BYTES || bytes.toString("latin1", 0, 8) !== MAGIC) return null;
  if (bytes.readUInt32LE(8) !== INDEX_FORMAT_VERSION) return null;
  if (bytes.readDoubleLE(16) !== key.sizeBytes || bytes.readDoubleLE(24) !== key.mtimeMs) return null;
  const numRecords = bytes.readDoubleLE(32);
  const numSteps = bytes.readUInt32LE(40);
  const numMarks = bytes.readUInt32LE(44);
  const pathLength = bytes.readUInt32LE(48);
  const pathEnd = FIXED_BYTES + pad8(pathLength);
  const lowEnd = pathEnd + pad8(numRecords * 4);
  const stepsEnd = lowEnd + numSteps * 8;
  if (!Number.isSafeInteger(numRecords) || bytes.length !== stepsEnd + numMarks * 8) return null;
  if (bytes.toString("utf8", FIXED_BYTES, FIXED_BYTES + pathLength) !== key.path) return null;
  if (!checksumOf(bytes).equals(bytes.subarray(CHECKSUM_AT, FIXED_BYTES))) return null;
  // Typed arrays need aligned offsets; a pooled Buffer may not be, and then one copy fixes it.
  const base = bytes.byteOffset % 8 === 0 ? bytes : Buffer.from(bytes);
  const view = <T>(Type: new (b: ArrayBufferLike, o: number, n: number) => T, at: number, n: number): T =>
    new Type(base.buffer, base.byteOffset + at, n);
  const table = {
    numRecords,
    low: view(Uint32Array, pathEnd, numRecords),
    highSteps: view(Float64Array, lowEnd, numSteps),
    lineMarks: view(Float64Array, stepsEnd, numMarks),
  };
  return { table, fingerprint: Buffer.from(bytes.subarray(FINGERPRINT_AT, CHECKSUM_AT)) };
}

/** The cached table for `key`, or null when there is none or it is stale or damaged. */
export async function readSidecar(path: string, key: FileKey): Promise<CachedTable | null> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch {
    return null;
  }
  return decodeSidecar(bytes, key);
}

let written = 0;

/**
 * Writes the sidecar through a temporary file and a rename, so a concurrent reader (another rank
 * indexing the same file) sees either no sidecar or a whole one. Returns false when the folder is
 * not writable (read-only data): the index is then kept in memory only.
 */
export async function writeSidecar(
  path: string,
  key: FileKey,
  table: RecordTable,
  fingerprint: Buffer,
): Promise<boolean> {
  const temporary = `${path}.${process.pid}.${written++}.tmp`;
  try {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(temporary, encodeSidecar(key, table, fingerprint));
    await rename(temporary, path);
    return true;
  } catch {
    await rm(temporary, { force: true }).catch(() => {});
    return false;
  }
}

/** Removes a sidecar found not to match its file, so the next open rebuilds it (best effort). */
export async function discardSidecar(path: string): Promise<void> {
  await rm(path, { force: true }).catch(() => {});
}
