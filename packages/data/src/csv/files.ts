import { readdir, stat } from "node:fs/promises";
import { isAbsolute, join, resolve } from "node:path";
import { DataError } from "./errors.ts";

/** Data files a directory contributes: CSV/TSV, optionally gzip-compressed; hidden files and markers like `_SUCCESS` are not data. */
const DATA_FILE = /^[^._].*\.(csv|tsv|txt)(\.gz)?$/i;

/**
 * Orders paths so that `part-2` comes before `part-10`: digit runs compare as numbers, the rest
 * by UTF-16 code unit. Locale-free on purpose, so every machine reads files in the same order.
 */
export function naturalCompare(a: string, b: string): number {
  const runs = /(\d+)|(\D+)/g;
  const left = a.match(runs) ?? [];
  const right = b.match(runs) ?? [];
  for (let i = 0; i < Math.min(left.length, right.length); i++) {
    const x = left[i] as string;
    const y = right[i] as string;
    if (x === y) continue;
    const xDigits = x.charCodeAt(0) <= 57 && x.charCodeAt(0) >= 48;
    const yDigits = y.charCodeAt(0) <= 57 && y.charCodeAt(0) >= 48;
    if (xDigits && yDigits) {
      const xs = x.replace(/^0+(?=\d)/, "");
      const ys = y.replace(/^0+(?=\d)/, "");
      if (xs.length !== ys.length) return xs.length - ys.length;
      if (xs !== ys) return xs < ys ? -1 : 1;
      return x.length - y.length; // "01" vs "1": keep a total order
    }
    return x < y ? -1 : 1;
  }
  return left.length - right.length;
}

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
