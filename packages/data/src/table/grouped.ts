import type { CsvFileInfo, CsvRow } from "../csv/read.ts";
import { DataError } from "../errors.ts";
import type { RowRef } from "../types.ts";

/**
 * One file of a columnar format (Parquet, Arrow IPC) as the table layer sees it: its columns and
 * its row groups (Parquet row groups, Arrow record batches), each readable on its own, which is
 * what gives these formats random access. Readers implement it over a small byte interface, so
 * the same code serves files on disk and, later, bytes in a browser.
 */
export interface GroupedFile {
  readonly file: string;
  /** Column names, in file order. */
  readonly columns: readonly string[];
  /** Rows of each group, in file order. */
  readonly groupRows: readonly number[];
  /** Group `g`, read whole. */
  readGroup(g: number): Promise<GroupData>;
  close(): Promise<void>;
}

/** Opens a file of one columnar format; throws `DataError` for a missing or malformed file. */
export type OpenGroupedFile = (file: string) => Promise<GroupedFile>;

/** One group read: its rows as cells, and the typed values behind them when the reader has them. */
export interface GroupData {
  /** Row r (0-based in the group) as cells (see `cellText`), in the file's column order. */
  cells(r: number): string[];
  /** Column-major values (`values[c][r]`), for the encoder's fast path over typed numbers (see `ValueEncoder`). */
  values?: readonly ArrayLike<unknown>[];
}

/** A file's info as the CSV reader would give it: columns, no header line. */
export function groupedInfo(table: GroupedFile, fileIndex: number): CsvFileInfo {
  return { file: table.file, fileIndex, columns: table.columns, headerLine: null };
}

/** Throws `DataError` (empty-file) for a file without rows. */
export function checkNotEmpty(table: GroupedFile): void {
  if (table.groupRows.reduce((a, b) => a + b, 0) === 0) {
    throw new DataError({ code: "empty-file", file: table.file, reason: "empty file: no rows" });
  }
}

/**
 * Streams the rows of columnar files in order, one group in memory at a time, as rows of cells
 * (see `cellText`) with their RowRef: `line` is the 1-based row within the file (these formats
 * have no lines). Throws `DataError` for missing, malformed or empty files.
 */
export async function* readGroupedRows(
  files: readonly string[],
  open: OpenGroupedFile,
  options: { onFile?: (info: CsvFileInfo) => void } = {},
): AsyncGenerator<CsvRow> {
  let index = 0;
  for (let fileIndex = 0; fileIndex < files.length; fileIndex++) {
    const table = await open(files[fileIndex] as string);
    try {
      checkNotEmpty(table);
      const info = groupedInfo(table, fileIndex);
      options.onFile?.(info);
      let rowInFile = 0;
      for (let g = 0; g < table.groupRows.length; g++) {
        const { cells } = await table.readGroup(g);
        const rows = table.groupRows[g] as number;
        for (let r = 0; r < rows; r++) {
          const ref: RowRef = { index, file: table.file, fileIndex, line: ++rowInFile };
          index++;
          yield { fields: cells(r), ref, info, problem: null };
        }
      }
    } finally {
      await table.close();
    }
  }
}
