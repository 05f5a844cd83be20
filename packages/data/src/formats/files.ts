import { readdir, stat } from "node:fs/promises";
import { extname, join } from "node:path";
import { resolveCsvFiles } from "../csv/files.ts";
import { DataError } from "../errors.ts";
import { naturalCompare } from "../order.ts";

/** The tabular formats a dataset can be in. */
export type DataFormat = "csv" | "jsonl" | "parquet" | "arrow";
export const DATA_FORMATS: readonly DataFormat[] = ["csv", "jsonl", "parquet", "arrow"];

/** File names of each format (hidden files and markers like `_SUCCESS` are never data). */
const NAMES: Record<DataFormat, RegExp> = {
  csv: /^[^._].*\.(csv|tsv|txt)(\.gz)?$/i,
  jsonl: /^[^._].*\.(jsonl|ndjson)(\.gz)?$/i,
  parquet: /^[^._].*\.(parquet|pq)$/i,
  arrow: /^[^._].*\.(arrow|feather|ipc|arrows)$/i,
};

/** The format a file name says, or null (no known extension: read as CSV). */
export function formatOfName(name: string): DataFormat | null {
  const base = name.split(/[\\/]/).at(-1) ?? name;
  const bare = base.replace(/^[._]+/, "x");
  return DATA_FORMATS.find((format) => NAMES[format].test(bare)) ?? null;
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

/**
 * The format of a dataset: `given` when set, else what its files' extensions say (a directory by
 * the data files in it); files without a known extension are CSV. Throws `DataError` (options)
 * for an unknown `given` or a dataset mixing formats.
 * @example await detectFormat("data/flights.parquet") // "parquet"
 */
export async function detectFormat(
  paths: string | readonly string[],
  given?: string | null,
): Promise<DataFormat> {
  if (given !== undefined && given !== null && given !== "auto") {
    if (!DATA_FORMATS.includes(given as DataFormat)) {
      throw new DataError({
        code: "options",
        reason: `format must be one of auto, ${DATA_FORMATS.join(", ")}, got ${JSON.stringify(given)}`,
      });
    }
    return given as DataFormat;
  }
  const found = new Set<DataFormat>();
  for (const input of typeof paths === "string" ? [paths] : paths) {
    if (await isDirectory(input)) {
      for (const name of await readdir(input)) {
        const format = formatOfName(name);
        if (format !== null) found.add(format);
      }
    } else found.add(formatOfName(input) ?? "csv");
  }
  if (found.size > 1) {
    throw new DataError({
      code: "options",
      reason: `the data mixes formats (${[...found].join(", ")}): give files of one format`,
    });
  }
  return [...found][0] ?? "csv";
}

/**
 * Expands files, directories and globs into a dataset's file list, as `resolveCsvFiles` does for
 * CSV: a directory contributes its files of `format`, naturally sorted. Throws `DataError` for a
 * missing path, a directory without such files, or a file named twice.
 */
export async function resolveDataFiles(
  paths: string | readonly string[],
  format: DataFormat,
): Promise<string[]> {
  if (format === "csv") return resolveCsvFiles(paths);
  const inputs: string[] = [];
  for (const input of typeof paths === "string" ? [paths] : paths) {
    if (!(await isDirectory(input))) {
      inputs.push(input);
      continue;
    }
    const names = (await readdir(input, { withFileTypes: true }))
      .filter((entry) => entry.isFile() && NAMES[format].test(entry.name))
      .map((entry) => entry.name)
      .sort(naturalCompare);
    if (names.length === 0) {
      throw new DataError({ code: "no-files", file: input, reason: `directory holds no ${format} files` });
    }
    inputs.push(...names.map((name) => join(input, name)));
  }
  return resolveCsvFiles(inputs);
}

/** Whether `file` is gzip-compressed (streamed only: no offsets to jump to). */
export function isGzip(file: string): boolean {
  return extname(file).toLowerCase() === ".gz";
}
