import type { Stats } from "node:fs";
import { lstat, readdir, realpath, stat } from "node:fs/promises";
import { isAbsolute, join } from "node:path";
import { DataError } from "../errors.ts";
import { naturalCompare } from "../order.ts";

/** Data files a directory contributes: CSV/TSV, optionally gzip-compressed; hidden files and markers like `_SUCCESS` are not data. */
const DATA_FILE = /^[^._].*\.(csv|tsv|txt)(\.gz)?$/i;

/** What a path is that cannot be read as data, for messages. */
function whatIs(info: Stats): string {
  if (info.isFIFO()) return "a named pipe (FIFO)";
  if (info.isSocket()) return "a socket";
  if (info.isCharacterDevice() || info.isBlockDevice()) return "a device";
  if (info.isDirectory()) return "a directory";
  return "not a regular file";
}

/** `stat` (symlinks followed), or null when nothing is there (a dangling link counts as nothing). */
async function statOf(path: string): Promise<Stats | null> {
  try {
    return await stat(path);
  } catch {
    return null;
  }
}

/** Throws `DataError` unless `path` is a regular file: a pipe or device as data would hang or never end. */
async function regularFile(path: string): Promise<string> {
  const info = await statOf(path);
  if (info === null) {
    const link = await lstat(path).catch(() => null);
    const reason = link?.isSymbolicLink() ? "symbolic link to a missing file" : "no such file or directory";
    throw new DataError({ code: "file-not-found", file: path, reason });
  }
  if (!info.isFile()) {
    throw new DataError({
      code: "not-a-file",
      file: path,
      reason: `is ${whatIs(info)}, not a regular file: data must be files (or directories of them)`,
    });
  }
  return path;
}

async function expand(input: string): Promise<string[]> {
  const info = await statOf(input);
  if (info?.isDirectory()) {
    const entries = await readdir(input, { withFileTypes: true });
    // Chosen by name only, then checked: a part linked into the folder is a part like any other,
    // and a pipe or folder named like a part is an error rather than rows left out unsaid.
    const names = entries.filter((e) => DATA_FILE.test(e.name)).map((e) => e.name);
    if (names.length === 0) {
      throw new DataError({
        code: "no-files",
        file: input,
        reason: "directory holds no data files (*.csv, *.tsv, *.txt, optionally .gz)",
      });
    }
    const files = names.sort(naturalCompare).map((name) => join(input, name));
    for (const file of files) await regularFile(file);
    return files;
  }
  if (info !== null) return [await regularFile(input)];
  // Loaded only for patterns: tinyglobby pulls in CommonJS picomatch, and loading it at all was
  // measured to slow the numeric parse loop by ~8% under tsx (typed-array reads deoptimise).
  const { glob, isDynamicPattern } = await import("tinyglobby");
  if (isDynamicPattern(input)) {
    // Absolute patterns give absolute paths; relative ones stay relative, as the user wrote them.
    // Pipes, sockets and devices are never matched (the directory walk lists files and folders only).
    const found = await glob(input, {
      onlyFiles: true,
      expandDirectories: false,
      absolute: isAbsolute(input),
    });
    if (found.length === 0) {
      throw new DataError({ code: "no-files", reason: `no files match ${JSON.stringify(input)}` });
    }
    const files = found.sort(naturalCompare);
    for (const file of files) await regularFile(file);
    return files;
  }
  return [await regularFile(input)];
}

/**
 * Expands files, directories of part files and globs into the dataset's file list: inputs in
 * the order given, each directory or glob sorted naturally. Symbolic links are followed, and a
 * file is read once whatever the paths leading to it: within one directory or glob, a file
 * reached again through another path (a link to a part, a glob through a link loop) is kept
 * under its first path in that order and its other paths are left out; a file that two inputs
 * name is an error. A glob matches regular files only. Throws `DataError` for a missing path or dangling link, a directory or glob
 * with no data files, a path that is not a regular file (`not-a-file`: a pipe, socket or device
 * would hang or never end), or a file named twice (`duplicate-file`).
 * @example await resolveCsvFiles("data/parts") // ["data/parts/part-00000.csv", "data/parts/part-00001.csv"]
 */
export async function resolveCsvFiles(paths: string | readonly string[]): Promise<string[]> {
  const inputs = typeof paths === "string" ? [paths] : [...paths];
  if (inputs.length === 0) throw new DataError({ code: "no-files", reason: "no data paths given" });
  const files: string[] = [];
  // Real path → the path it was first named by, and which input named it.
  const seen = new Map<string, { file: string; input: number }>();
  for (let input = 0; input < inputs.length; input++) {
    for (const file of await expand(inputs[input] as string)) {
      const key = await realpath(file);
      const first = seen.get(key);
      if (first === undefined) {
        seen.set(key, { file, input });
        files.push(file);
      } else if (first.input !== input) {
        // Reading a file twice would silently weight its rows double.
        const same = first.file === file ? "" : ` (the same file as ${first.file})`;
        throw new DataError({
          code: "duplicate-file",
          file,
          reason: `file is named twice in the data paths${same}`,
        });
      }
    }
  }
  return files;
}
