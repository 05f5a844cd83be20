import type { RowRef } from "../types.ts";

/** Thrown for a source whose data does not have the declared shape; the message names the row. */
export class SourceError extends Error {
  override name = "SourceError";
}

/** `data.csv:1042` for file rows, `row 17` for in-memory rows: how messages point at a sample. */
export function describeRow(row: RowRef): string {
  if (row.file !== null)
    return row.line === null ? `${row.file}: row ${row.index}` : `${row.file}:${row.line}`;
  return `row ${row.index}`;
}

/** Provenance of in-memory row `index`. */
export function memoryRow(index: number): RowRef {
  return { index, file: null, fileIndex: 0, line: null };
}
