import { stat } from "node:fs/promises";
import { resolve } from "node:path";
import { fileInput } from "../bytes/file-input.ts";
import { resolveCsvFiles } from "../csv/files.ts";
import { DataError } from "../errors.ts";
import {
  checkIndexable,
  checkNotEmpty,
  type FileRows,
  type IndexOrigin,
  RowIndex,
  scanRecords,
} from "./rows.ts";
import { type FileKey, readSidecar, sidecarPath, writeSidecar } from "./sidecar.ts";
import type { RecordTable } from "./table.ts";

export { type IndexOrigin, RowIndex, type RowLocation } from "./rows.ts";

export interface RowIndexOptions {
  /** The first record of each file is its header, not a row. Default true. */
  header?: boolean;
  /** Folder for the sidecars of every file. Default: `.stepwise-index/` beside each data file. */
  indexDir?: string | null;
  /** `false`: neither read nor write sidecars (index in memory only). Default true. */
  cache?: boolean;
  /** Bytes per read while indexing. Default 4 MiB. */
  chunkBytes?: number;
}

async function keyOf(file: string): Promise<FileKey> {
  try {
    const info = await stat(file);
    return { path: resolve(file), sizeBytes: info.size, mtimeMs: info.mtimeMs };
  } catch (error) {
    throw new DataError({ code: "file-not-found", file, reason: "no such file", cause: error });
  }
}

async function indexFile(
  file: string,
  options: Required<Pick<RowIndexOptions, "cache" | "chunkBytes">> & { indexDir: string | null },
): Promise<{ table: RecordTable; key: FileKey; origin: IndexOrigin }> {
  checkIndexable({ name: file, gzip: /\.gz$/i.test(file) });
  const key = await keyOf(file);
  const path = sidecarPath(file, options.indexDir);
  if (options.cache) {
    const cached = await readSidecar(path, key);
    if (cached !== null) return { table: cached, key, origin: "cached" };
  }
  const { table } = await scanRecords(fileInput(file), options.chunkBytes);
  const after = await keyOf(file);
  if (after.sizeBytes !== key.sizeBytes || after.mtimeMs !== key.mtimeMs) {
    throw new DataError({
      code: "io",
      file,
      reason: "the file changed while it was being indexed; try again",
    });
  }
  if (!options.cache) return { table, key, origin: "memory" };
  return { table, key, origin: (await writeSidecar(path, key, table)) ? "built" : "memory" };
}

/**
 * The row index of CSV files, directories or globs: each file's record offsets come from its
 * sidecar (`<indexDir>/<name>.<hash>.rowidx`) when the sidecar matches the file's path, size and
 * modification time, else from one quote-aware pass at raw-read speed, saved for next time. A
 * file that changed is re-indexed automatically; a folder that is not writable keeps the index
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
  };
  const files = await resolveCsvFiles(paths);
  const entries: FileRows[] = [];
  const origins: IndexOrigin[] = [];
  for (const file of files) {
    const { table, key, origin } = await indexFile(file, settings);
    checkNotEmpty(file, table, header);
    entries.push({ file, sizeBytes: key.sizeBytes, table, skip: header ? 1 : 0 });
    origins.push(origin);
  }
  return new RowIndex(entries, origins);
}
