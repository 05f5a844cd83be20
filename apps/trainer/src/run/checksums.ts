// A folder's record of what its files held when written: size and sha256 per file, in
// `checksums.json`, written last (atomically) so that it also marks the folder complete. A resume
// trusts a file only when it still matches: flipped bits, a truncated write or an edit are caught
// before any of it is used.
import { createHash } from "node:crypto";
import { join } from "node:path";
import { FileError } from "../errors.ts";
import { readBytes, readJsonFile, writeFileAtomic } from "../files.ts";

export const CHECKSUMS_FILE = "checksums.json";

/** Size and content hash of one file. */
export interface FileDigest {
  bytes: number;
  sha256: string;
}

/** `checksums.json`: file name (relative to its folder) → digest. */
export interface Checksums {
  version: 1;
  files: Record<string, FileDigest>;
}

/** Size and sha256 of `data` as written to disk (strings as UTF-8). */
export function digestOf(data: string | Uint8Array): FileDigest {
  const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : data;
  return { bytes: bytes.byteLength, sha256: createHash("sha256").update(bytes).digest("hex") };
}

/** Writes `dir/checksums.json` for `files` (name → the exact content written), flushed to disk. */
export async function writeChecksums(dir: string, files: Record<string, string | Uint8Array>): Promise<void> {
  const record: Checksums = {
    version: 1,
    files: Object.fromEntries(Object.entries(files).map(([name, data]) => [name, digestOf(data)])),
  };
  await writeFileAtomic(join(dir, CHECKSUMS_FILE), `${JSON.stringify(record, null, 1)}\n`, { sync: true });
}

/** The verified contents of a folder's files, or the first problem (one phrase naming the file). */
export type Verified =
  | { ok: true; contents: Map<string, Uint8Array> }
  | {
      ok: false;
      /** True when there is no checksums.json at all. */
      missing: boolean;
      problem: string;
      /** The file whose size or content differs from its record (not set for other problems). */
      changed?: string;
    };

function isChecksums(value: unknown): value is Checksums {
  const record = value as Checksums | null;
  return (
    record !== null &&
    typeof record === "object" &&
    record.version === 1 &&
    typeof record.files === "object" &&
    record.files !== null &&
    Object.values(record.files).every(
      (digest) => Number.isSafeInteger(digest?.bytes) && typeof digest?.sha256 === "string",
    )
  );
}

/**
 * Reads `names` from `dir` and checks each against `dir/checksums.json`. `missing` is true when
 * there is no checksums.json at all (the folder was never completed, or an older trainer wrote it).
 */
export async function verifyFiles(dir: string, names: readonly string[]): Promise<Verified> {
  const recordPath = join(dir, CHECKSUMS_FILE);
  let record: unknown;
  try {
    record = await readJsonFile(recordPath);
  } catch (error) {
    if (error instanceof FileError && error.code === "ENOENT")
      return { ok: false, missing: true, problem: `${recordPath} is missing` };
    return { ok: false, missing: false, problem: (error as Error).message };
  }
  if (!isChecksums(record))
    return { ok: false, missing: false, problem: `${recordPath}: not a version 1 checksums file` };
  const contents = new Map<string, Uint8Array>();
  for (const name of names) {
    const path = join(dir, name);
    const expected = record.files[name];
    if (!expected) return { ok: false, missing: false, problem: `${path} is not listed in ${recordPath}` };
    let bytes: Uint8Array;
    try {
      bytes = await readBytes(path);
    } catch (error) {
      return { ok: false, missing: false, problem: (error as Error).message };
    }
    const actual = digestOf(bytes);
    if (actual.bytes < expected.bytes)
      return {
        ok: false,
        missing: false,
        problem: `${path} is truncated (${actual.bytes} of ${expected.bytes} bytes)`,
        changed: name,
      };
    if (actual.bytes !== expected.bytes || actual.sha256 !== expected.sha256)
      return {
        ok: false,
        missing: false,
        problem: `${path} does not match its recorded checksum (damaged or edited)`,
        changed: name,
      };
    contents.set(name, bytes);
  }
  return { ok: true, contents };
}
