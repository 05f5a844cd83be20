import { isUtf8 } from "node:buffer";
import type { RowProblem } from "../errors.ts";
import { cellText } from "../table/cells.ts";

/** Records a file's columns are found from when the schema does not name them. */
export const COLUMN_PEEK_RECORDS = 1000;

const problem = (code: RowProblem["code"], reason: string): RowProblem => ({
  code,
  reason,
  column: null,
  columnNumber: null,
});

/** A line read as a record: its JSON object, or the problem that makes it a bad record. */
export type ParsedLine =
  | { record: Record<string, unknown>; problem: null }
  | { record: null; problem: RowProblem };

const bad = (code: RowProblem["code"], reason: string): ParsedLine => ({
  record: null,
  problem: problem(code, reason),
});

/** The JSON object on one line, or the problem that makes it a bad record. */
export function parseObject(bytes: Uint8Array): ParsedLine {
  if (!isUtf8(bytes))
    return bad("invalid-utf8", "record is not valid UTF-8 (is the file in another encoding?)");
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString("utf8"));
  } catch (error) {
    return bad("bad-json", `expected a JSON object, got invalid JSON (${(error as Error).message})`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    const kind = Array.isArray(value) ? "an array" : value === null ? "null" : `a ${typeof value}`;
    return bad("bad-json", `expected a JSON object, got ${kind}`);
  }
  return { record: value as Record<string, unknown>, problem: null };
}

/** The cells of `record` in the order of `columns`: a key the record lacks is an empty (missing) cell. */
export function cellsOf(record: Record<string, unknown>, columns: readonly string[]): string[] {
  const fields = new Array<string>(columns.length);
  for (let i = 0; i < columns.length; i++) {
    const name = columns[i] as string;
    fields[i] = Object.hasOwn(record, name) ? cellText(record[name]) : "";
  }
  return fields;
}

/** Adds the keys of `record` not yet in `columns`, in the record's order. */
export function addKeys(record: Record<string, unknown>, columns: string[], seen: Set<string>): void {
  for (const key of Object.keys(record)) {
    if (seen.has(key)) continue;
    seen.add(key);
    columns.push(key);
  }
}
