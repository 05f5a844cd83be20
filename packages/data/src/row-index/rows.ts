import type { ByteInput } from "../bytes/input.ts";
import { RecordCounter, type RecordSink } from "../csv/record-counter.ts";
import { DataError } from "../errors.ts";
import { type RecordTable, recordLine, recordStart, TableBuilder, tableBytes } from "./table.ts";

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

export interface FileRows {
  file: string;
  sizeBytes: number;
  table: RecordTable;
  /** Records before the first data row: 1 with a header, else 0. */
  skip: number;
  /**
   * Removes what the table was read from or saved to (a sidecar), so that the next open rebuilds
   * it; null when the index is held in memory only.
   */
  discard: (() => Promise<void>) | null;
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
    await (this.entries[fileIndex] as FileRows).discard?.();
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

/** What takes every chunk of an indexing pass besides the record counter (the content fingerprint). */
export interface ChunkSink {
  push(chunk: Uint8Array): void;
}

/** Finds where records start: the CSV record counter, or (JSON Lines) a line counter. */
export interface RecordScanner {
  push(chunk: Uint8Array): void;
  end(): number;
}

/**
 * One pass of the record counter over an input, collecting where every record starts, and its
 * size; with `fingerprint`, the same chunks also feed the content fingerprint the index is
 * checked by. `scanner` makes the counter (default: CSV records).
 */
export async function scanRecords(
  input: ByteInput,
  chunkBytes: number,
  fingerprint: ChunkSink | null = null,
  scanner: (sink: RecordSink) => RecordScanner = (sink) => new RecordCounter(sink),
): Promise<{ table: RecordTable; sizeBytes: number }> {
  let sizeBytes = 0;
  const builder = new TableBuilder();
  const counter = scanner(builder);
  const chunks = input.chunks(chunkBytes)[Symbol.asyncIterator]();
  try {
    for (let next = await chunks.next(); next.done !== true; next = await chunks.next()) {
      sizeBytes += next.value.length;
      counter.push(next.value);
      fingerprint?.push(next.value);
    }
    counter.end();
  } catch (error) {
    throw new DataError({
      code: "io",
      file: input.name,
      reason: `cannot read: ${(error as Error).message}`,
      cause: error,
    });
  } finally {
    await chunks.return?.(undefined);
  }
  return { table: builder.finish(), sizeBytes };
}

/** Refuses a gzip input: it has no byte offsets to jump to. */
export function checkIndexable(input: Pick<ByteInput, "name" | "gzip">): void {
  if (input.gzip) {
    throw new DataError({
      code: "not-indexable",
      file: input.name,
      reason:
        "gzip files have no byte offsets to jump to, so they cannot be indexed for random access: " +
        'decompress the file, or read it as a stream (shuffle "buffer")',
    });
  }
}

/** Throws `empty-file` for a file with no record. */
export function checkNotEmpty(file: string, table: RecordTable, header: boolean): void {
  if (table.numRecords === 0) {
    throw new DataError({
      code: "empty-file",
      file,
      reason: header ? "empty file: expected a header row" : "empty file: no records",
    });
  }
}

/**
 * The row index of `inputs`, built in memory by one scan of each (no sidecars): how a browser
 * indexes a Blob or a URL. Throws `DataError` for gzip inputs (`not-indexable`), empty or
 * unreadable ones.
 */
export async function indexInputs(
  inputs: readonly ByteInput[],
  options: { header: boolean; chunkBytes?: number },
): Promise<RowIndex> {
  const entries: FileRows[] = [];
  for (const input of inputs) {
    checkIndexable(input);
    const { table, sizeBytes } = await scanRecords(input, options.chunkBytes ?? 4 * 2 ** 20);
    checkNotEmpty(input.name, table, options.header);
    entries.push({ file: input.name, sizeBytes, table, skip: options.header ? 1 : 0, discard: null });
  }
  return new RowIndex(
    entries,
    entries.map(() => "memory"),
  );
}
