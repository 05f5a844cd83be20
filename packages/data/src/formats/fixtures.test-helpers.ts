import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { type RecordBatch, Table, tableFromArrays, tableToIPC } from "apache-arrow";
import { parquetWriteBuffer } from "hyparquet-writer";
import type { DataFormat } from "./files.ts";

/** One row of the test table: two numbers, a category, a missing-able number and a class label. */
export interface FixtureRow {
  x: number;
  n: number;
  color: string;
  maybe: number | null;
  species: string;
}

const COLORS = ["red", "green", "blue", 'ünïcode, "quoted"'];
const SPECIES = ["setosa", "versicolor", "virginica"];

/** `count` rows from a small seeded generator: awkward doubles, negative zero, missing values. */
export function fixtureRows(count: number, seed = 1): FixtureRow[] {
  let state = seed >>> 0 || 1;
  const next = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
  return Array.from({ length: count }, (_, i) => {
    const r = next();
    return {
      x: i % 17 === 0 ? -0 : (r - 0.5) * 10 ** Math.floor(next() * 6 - 3),
      n: Math.floor(next() * 1000) - 500,
      color: COLORS[Math.floor(next() * COLORS.length)] as string,
      maybe: next() < 0.1 ? null : Math.round(next() * 1e6) / 1e3,
      species: SPECIES[(i + Math.floor(r * 2)) % 3] as string,
    };
  });
}

const COLUMNS = ["x", "n", "color", "maybe", "species"] as const;

const csvCell = (value: unknown): string => {
  if (value === null) return "";
  if (typeof value === "number") return Object.is(value, -0) ? "-0" : String(value);
  const text = String(value);
  return /[",\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
};

/** The rows as CSV text, with a header. */
export function csvText(rows: readonly FixtureRow[]): string {
  return `${[COLUMNS.join(","), ...rows.map((row) => COLUMNS.map((c) => csvCell(row[c])).join(","))].join("\n")}\n`;
}

/** The rows as JSON Lines (null stays null; -0 written as the JSON text -0). */
export function jsonlText(rows: readonly FixtureRow[]): string {
  return rows
    .map((row) =>
      JSON.stringify(row).replace(/"x":0([,}])/, (m, end: string) =>
        Object.is(row.x, -0) ? `"x":-0${end}` : m,
      ),
    )
    .join("\n")
    .concat("\n");
}

/** The rows as a Parquet file's bytes, in row groups of `groupRows`. */
export function parquetBytes(rows: readonly FixtureRow[], groupRows: number): ArrayBuffer {
  return parquetWriteBuffer({
    columnData: [
      { name: "x", data: rows.map((r) => r.x), type: "DOUBLE" },
      { name: "n", data: rows.map((r) => r.n), type: "INT32" },
      { name: "color", data: rows.map((r) => r.color), type: "STRING" },
      { name: "maybe", data: rows.map((r) => r.maybe), type: "DOUBLE" },
      { name: "species", data: rows.map((r) => r.species), type: "STRING" },
    ],
    rowGroupSize: groupRows,
  });
}

/** The rows as an Arrow IPC file's bytes, in record batches of `batchRows`. */
export function arrowBytes(rows: readonly FixtureRow[], batchRows: number): Uint8Array {
  const table = tableFromArrays({
    x: Float64Array.from(rows, (r) => r.x),
    n: Int32Array.from(rows, (r) => r.n),
    color: rows.map((r) => r.color),
    maybe: rows.map((r) => r.maybe),
    species: rows.map((r) => r.species),
  });
  const batches: RecordBatch[] = [];
  for (let start = 0; start < rows.length; start += batchRows) {
    batches.push(...table.slice(start, start + batchRows).batches);
  }
  return tableToIPC(new Table(table.schema, batches), "file");
}

/** Writes the rows in `format` to `dir/name.<ext>` (groups of `groupRows` where the format has them). */
export async function writeFixture(
  dir: string,
  name: string,
  format: DataFormat,
  rows: readonly FixtureRow[],
  groupRows = 37,
): Promise<string> {
  const ext = { csv: "csv", jsonl: "jsonl", parquet: "parquet", arrow: "arrow" }[format];
  const path = join(dir, `${name}.${ext}`);
  const bytes =
    format === "csv"
      ? csvText(rows)
      : format === "jsonl"
        ? jsonlText(rows)
        : format === "parquet"
          ? new Uint8Array(parquetBytes(rows, groupRows))
          : arrowBytes(rows, groupRows);
  await writeFile(path, bytes);
  return path;
}
