import { readdir, stat } from "node:fs/promises";
import { isAbsolute, join, resolve } from "node:path";
import { DataError } from "../errors.ts";
import { naturalCompare } from "../order.ts";

/** Data files a directory contributes: CSV/TSV, optionally gzip-compressed; hidden files and markers like `_SUCCESS` are not data. */
const DATA_FILE = /^[^._].*\.(csv|tsv|txt)(\.gz)?$/i;

async function kindOf(path: string): Promise<"file" | "directory" | null> {
  try {
    const info = await stat(path);
    return info.isDirectory() ? "directory" : "file";
  } catch {
    return null;
  }
}

async function expand(input: string): Promise<string[]> {
  const kind = await kindOf(input);
  if (kind === "file") return [input];
  if (kind === "directory") {
    const entries = await readdir(input, { withFileTypes: true });
    const names = entries.filter((e) => e.isFile() && DATA_FILE.test(e.name)).map((e) => e.name);
    if (names.length === 0) {
      throw new DataError({
        code: "no-files",
        file: input,
        reason: "directory holds no data files (*.csv, *.tsv, *.txt, optionally .gz)",
      });
    }
    return names.sort(naturalCompare).map((name) => join(input, name));
  }
  // Loaded only for patterns: tinyglobby pulls in CommonJS picomatch, and loading it at all was
  // measured to slow the numeric parse loop by ~8% under tsx (typed-array reads deoptimise).
  const { glob, isDynamicPattern } = await import("tinyglobby");
  if (isDynamicPattern(input)) {
    // Absolute patterns give absolute paths; relative ones stay relative, as the user wrote them.
    const found = await glob(input, {
      onlyFiles: true,
      expandDirectories: false,
      absolute: isAbsolute(input),
    });
    if (found.length === 0) {
      throw new DataError({ code: "no-files", reason: `no files match ${JSON.stringify(input)}` });
    }
    return found.sort(naturalCompare);
  }
  throw new DataError({ code: "file-not-found", file: input, reason: "no such file or directory" });
}

/**
 * Expands files, directories of part files and globs into the dataset's file list: inputs in
 * the order given, each directory or glob sorted naturally. Throws `DataError` for a missing
 * path, a directory or glob with no data files, or a file named twice.
 * @example await resolveCsvFiles("data/parts") // ["data/parts/part-00000.csv", "data/parts/part-00001.csv"]
 */
export async function resolveCsvFiles(paths: string | readonly string[]): Promise<string[]> {
  const inputs = typeof paths === "string" ? [paths] : [...paths];
  if (inputs.length === 0) throw new DataError({ code: "no-files", reason: "no data paths given" });
  const files: string[] = [];
  const seen = new Set<string>();
  for (const input of inputs) {
    for (const file of await expand(input)) {
      // Reading a file twice would silently weight its rows double.
      const key = resolve(file);
      if (seen.has(key)) {
        throw new DataError({
          code: "duplicate-file",
          file,
          reason: "file is named twice in the data paths",
        });
      }
      seen.add(key);
      files.push(file);
    }
  }
  return files;
}
