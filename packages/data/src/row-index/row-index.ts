import { open, stat } from "node:fs/promises";
import { resolve } from "node:path";
import { RecordCounter } from "../csv/count.ts";
import { resolveCsvFiles } from "../csv/files.ts";
import { DataError } from "../errors.ts";
import { LineCounter } from "../jsonl/lines.ts";
import { fingerprintFile, StreamFingerprint } from "./fingerprint.ts";
import { discardSidecar, type FileKey, readSidecar, sidecarPath, writeSidecar } from "./sidecar.ts";
import { type RecordTable, recordLine, recordStart, TableBuilder, tableBytes } from "./table.ts";

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

/** How records are delimited in an indexed file (see `RowIndexOptions.records`). */
export type RecordKind = "csv" | "lines";

/** How a file's index was obtained: read from a current sidecar, built and saved, or built and kept in memory only. */
export type IndexOrigin = "cached" | "built" | "memory";

/** Where one data row is: file, byte range `[start, end)` (trailing empty lines included) and 1-based line. */
export interface RowLocation {
  fileIndex: number;
  file: string;
  start: number;
  end: number;
  line: number;
}

interface FileRows {
  file: string;
  sizeBytes: number;
  table: RecordTable;
  /** Records before the first data row: 1 with a header, else 0. */
  skip: number;
  /** The sidecar the table was read from or saved to, or null (memory only). */
  sidecar: string | null;
}

/**
 * The row offsets of a dataset (one or many files) as one logical index: global data row `row`
 * (0-based, header rows excluded, files in their stable order, as `RowRef.index`) ↦ (file, byte
 * range, line). Memory: 4 bytes per row plus a few words per file.
 */
export class RowIndex {
  readonly files: readonly string[];
  /** Data rows in all files. */
  readonly numRows: number;
  readonly rowsPerFile: readonly number[];
  readonly origins: readonly IndexOrigin[];
  /** `firstRow[f]`: global row of file f's first data row; `firstRow[files.length]` = numRows. */
  private readonly firstRow: Float64Array;

  constructor(
    private readonly entries: readonly FileRows[],
    origins: readonly IndexOrigin[],
  ) {
    this.files = entries.map((e) => e.file);
    this.rowsPerFile = entries.map((e) => e.table.numRecords - e.skip);
    this.firstRow = new Float64Array(entries.length + 1);
    this.rowsPerFile.forEach((rows, f) => {
      this.firstRow[f + 1] = (this.firstRow[f] as number) + rows;
    });
    this.numRows = this.firstRow[entries.length] as number;
    this.origins = origins;
  }

  /** Bytes the index holds in memory. */
  get indexBytes(): number {
    return this.entries.reduce((sum, e) => sum + tableBytes(e.table), this.firstRow.byteLength);
  }

  /** File holding global row `row` (rows outside [0, numRows) are not checked here). */
  fileOf(row: number): number {
    let lo = 0;
    let hi = this.entries.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if ((this.firstRow[mid] as number) <= row) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** Global row of file `fileIndex`'s first data row. */
  firstRowOf(fileIndex: number): number {
    return this.firstRow[fileIndex] as number;
  }

  /** Byte range and line of data row `rowInFile` of file `fileIndex`. */
  rowRange(fileIndex: number, rowInFile: number): { start: number; end: number; line: number } {
    const entry = this.entries[fileIndex] as FileRows;
    const record = rowInFile + entry.skip;
    return this.recordRange(entry, record);
  }

  /** Size in bytes of file `fileIndex` when it was indexed. */
  fileSize(fileIndex: number): number {
    return (this.entries[fileIndex] as FileRows).sizeBytes;
  }

  /**
   * Removes file `fileIndex`'s sidecar after a read found the index does not describe the file
   * (it changed in a way its fingerprint did not show), so the next open rebuilds the index.
   */
  async discard(fileIndex: number): Promise<void> {
    const sidecar = (this.entries[fileIndex] as FileRows).sidecar;
    if (sidecar !== null) await discardSidecar(sidecar);
  }

  /** Byte range of the header record of file `fileIndex` (its first record), or null without headers. */
  headerRange(fileIndex: number): { start: number; end: number; line: number } | null {
    const entry = this.entries[fileIndex] as FileRows;
    return entry.skip === 0 ? null : this.recordRange(entry, 0);
  }

  /** Where global row `row` is. Throws `DataError` (options) for a row outside the index. */
  locate(row: number): RowLocation {
    if (!Number.isSafeInteger(row) || row < 0 || row >= this.numRows) {
      throw new DataError({
        code: "options",
        reason: `row must be an integer in [0, ${this.numRows}), got ${row}`,
      });
    }
    const fileIndex = this.fileOf(row);
    const range = this.rowRange(fileIndex, row - this.firstRowOf(fileIndex));
    return { fileIndex, file: this.files[fileIndex] as string, ...range };
  }

  private recordRange(entry: FileRows, record: number): { start: number; end: number; line: number } {
    const { table } = entry;
    const end = record + 1 < table.numRecords ? recordStart(table, record + 1) : entry.sizeBytes;
    return { start: recordStart(table, record), end, line: recordLine(table, record) };
  }
}

async function keyOf(file: string): Promise<FileKey> {
  try {
    const info = await stat(file);
    return { path: resolve(file), sizeBytes: info.size, mtimeMs: info.mtimeMs };
  } catch (error) {
    throw new DataError({ code: "file-not-found", file, reason: "no such file", cause: error });
  }
}

/**
 * One pass of the record counter over the file, collecting where every record starts; with
 * `fingerprint`, the same chunks also feed the content fingerprint the index is checked by.
 */
export async function scanRecords(
  file: string,
  chunkBytes: number,
  fingerprint: StreamFingerprint | null = null,
  records: RecordKind = "csv",
): Promise<RecordTable> {
  const builder = new TableBuilder();
  const counter = records === "lines" ? new LineCounter(builder) : new RecordCounter(builder);
  try {
    const handle = await open(file, "r");
    try {
      // One reused buffer: memory fixed at chunkBytes whatever the file size.
      const buffer = Buffer.allocUnsafe(chunkBytes);
      for (;;) {
        const { bytesRead } = await handle.read(buffer, 0, chunkBytes, null);
        if (bytesRead === 0) break;
        counter.push(buffer.subarray(0, bytesRead));
        fingerprint?.push(buffer.subarray(0, bytesRead));
      }
      counter.end();
    } finally {
      await handle.close();
    }
  } catch (error) {
    throw new DataError({
      code: "io",
      file,
      reason: `cannot read: ${(error as Error).message}`,
      cause: error,
    });
  }
  return builder.finish();
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
  if (/\.gz$/i.test(file)) {
    throw new DataError({
      code: "not-indexable",
      file,
      reason:
        "gzip files have no byte offsets to jump to, so they cannot be indexed for random access: " +
        'decompress the file, or read it as a stream (shuffle "buffer")',
    });
  }
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
  const table = await scanRecords(file, options.chunkBytes, fingerprint, options.records);
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
    if (table.numRecords === 0) {
      throw new DataError({
        code: "empty-file",
        file,
        reason: header ? "empty file: expected a header row" : "empty file: no records",
      });
    }
    entries.push({ file, sizeBytes: key.sizeBytes, table, skip: header ? 1 : 0, sidecar });
    origins.push(origin);
  }
  return new RowIndex(entries, origins);
}
