import { open, stat } from "node:fs/promises";
import { resolve } from "node:path";
import { fileInput } from "../bytes/file-input.ts";
import { resolveCsvFiles } from "../csv/files.ts";
import type { RecordSink } from "../csv/record-counter.ts";
import { DataError } from "../errors.ts";
import { LineCounter } from "../jsonl/lines.ts";
import { fingerprintFile, StreamFingerprint } from "./fingerprint.ts";
import {
  checkIndexable,
  checkNotEmpty,
  type FileRows,
  type IndexOrigin,
  type RecordKind,
  RowIndex,
  scanRecords,
} from "./rows.ts";
import { discardSidecar, type FileKey, readSidecar, sidecarPath, writeSidecar } from "./sidecar.ts";
import type { RecordTable } from "./table.ts";

export { type IndexOrigin, type RecordKind, RowIndex, type RowLocation } from "./rows.ts";

export interface RowIndexOptions {
  /** The first record of each file is its header, not a row. Default true. */
  header?: boolean;
  /** Folder for the sidecars of every file. Default: `.stepwise-index/` beside each data file. */
  indexDir?: string | null;
  /** `false`: neither read nor write sidecars (index in memory only). Default true. */
  cache?: boolean;
  /** Bytes per read while indexing. Default 4 MiB. */
  chunkBytes?: number;
  /**
   * What a record is: `csv` (default) a CSV record (line feeds inside quotes do not end it),
   * `lines` a non-blank line (JSON Lines, where every line break in a value is escaped).
   */
  records?: RecordKind;
}

async function keyOf(file: string): Promise<FileKey> {
  try {
    const info = await stat(file);
    return { path: resolve(file), sizeBytes: info.size, mtimeMs: info.mtimeMs };
  } catch (error) {
    throw new DataError({ code: "file-not-found", file, reason: "no such file", cause: error });
  }
}

/** The fingerprint of `file`'s content now (see `fingerprint.ts`), or null when it cannot be read. */
async function currentFingerprint(file: string, sizeBytes: number): Promise<Buffer | null> {
  try {
    const handle = await open(file, "r");
    try {
      return await fingerprintFile(handle, sizeBytes);
    } finally {
      await handle.close();
    }
  } catch {
    return null;
  }
}

async function indexFile(
  file: string,
  options: Required<Pick<RowIndexOptions, "cache" | "chunkBytes" | "records">> & { indexDir: string | null },
): Promise<{ table: RecordTable; key: FileKey; origin: IndexOrigin; sidecar: string | null }> {
  checkIndexable({ name: file, gzip: /\.gz$/i.test(file) });
  const key = await keyOf(file);
  const path = sidecarPath(file, options.indexDir, options.records);
  if (options.cache) {
    // Size and mtime can stay the same when the content does not (a rewrite, a restored mtime):
    // the sidecar is used only when the content fingerprint matches too.
    const cached = await readSidecar(path, key);
    const now = cached === null ? null : await currentFingerprint(file, key.sizeBytes);
    if (cached !== null && now !== null && cached.fingerprint.equals(now)) {
      return { table: cached.table, key, origin: "cached", sidecar: path };
    }
  }
  const fingerprint = new StreamFingerprint(key.sizeBytes);
  const scanner = options.records === "lines" ? (sink: RecordSink) => new LineCounter(sink) : undefined;
  const { table } = await scanRecords(fileInput(file), options.chunkBytes, fingerprint, scanner);
  const after = await keyOf(file);
  if (after.sizeBytes !== key.sizeBytes || after.mtimeMs !== key.mtimeMs) {
    throw new DataError({
      code: "io",
      file,
      reason: "the file changed while it was being indexed; try again",
    });
  }
  if (!options.cache) return { table, key, origin: "memory", sidecar: null };
  const saved = await writeSidecar(path, key, table, fingerprint.digest());
  return { table, key, origin: saved ? "built" : "memory", sidecar: saved ? path : null };
}

/**
 * The row index of CSV files, directories or globs: each file's record offsets come from its
 * sidecar (`<indexDir>/<name>.<hash>.rowidx`) when the sidecar is intact (checksum) and matches
 * the file's path, size, modification time and content fingerprint (a hash of 64 blocks of 4 KiB
 * spread over the file, or all of a smaller file), else from one quote-aware pass at raw-read
 * speed, saved for next time. A file that changed is re-indexed automatically (reads through the
 * index also check every row starts after a line feed: see `RowReader`); a folder that is not writable keeps the index
 * in memory. Throws `DataError` for missing or empty files, gzip files (`not-indexable`) and
 * unreadable ones.
 * @example const index = await buildRowIndex("data/parts"); index.locate(12345) // { file, start, end, line, … }
 */
export async function buildRowIndex(
  paths: string | readonly string[],
  options: RowIndexOptions = {},
): Promise<RowIndex> {
  const header = options.header ?? true;
  const settings = {
    cache: options.cache ?? true,
    chunkBytes: options.chunkBytes ?? 4 * 2 ** 20,
    indexDir: options.indexDir ?? null,
    records: options.records ?? "csv",
  };
  const files = await resolveCsvFiles(paths);
  const entries: FileRows[] = [];
  const origins: IndexOrigin[] = [];
  for (const file of files) {
    const { table, key, origin, sidecar } = await indexFile(file, settings);
    checkNotEmpty(file, table, header);
    const discard = sidecar === null ? null : () => discardSidecar(sidecar);
    entries.push({ file, sizeBytes: key.sizeBytes, table, skip: header ? 1 : 0, discard });
    origins.push(origin);
  }
  return new RowIndex(entries, origins);
}
