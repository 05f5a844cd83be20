/**
 * The fitted schema of a data set, cached beside its row index in `.stepwise-index/`: a second
 * fit of unchanged data with the same options reads it back instead of reading and parsing every
 * row (the counting, kind and statistics pass). An entry is used only when every file still has
 * its path, size, modification time and content fingerprint (the row index's: see
 * `fingerprint.ts`), and the options hash to the same value; anything else refits and replaces it.
 */
import { createHash } from "node:crypto";
import { mkdir, open, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { parseSchema } from "../schema/json.ts";
import type { Schema } from "../schema/types.ts";
import { fingerprintFile } from "./fingerprint.ts";
import { defaultIndexDir } from "./sidecar.ts";

/** Bumped whenever fitting can give another result for the same data and options: older entries are then refitted. */
export const SCHEMA_CACHE_VERSION = 2; // 2: schema version 2 (OOV inputs, embedded and hashed categories, dates)

/** One data file as an entry records it. */
interface CachedFile {
  path: string;
  sizeBytes: number;
  mtimeMs: number;
  /** Hex of the content fingerprint. */
  fingerprint: string;
}

/** The cache file: plain versioned JSON. */
interface SchemaCacheEntry {
  version: typeof SCHEMA_CACHE_VERSION;
  optionsHash: string;
  files: CachedFile[];
  schema: Schema;
}

/** How `cachedFit` obtained the schema: read from a matching entry, fitted and saved, or fitted only. */
export type SchemaOrigin = "cached" | "fitted" | "uncached";

/** What identifies one fit: the data files (in order) and every option that can change the result. */
export interface SchemaCacheKey {
  files: readonly string[];
  /** The fit's options as plain JSON; functions are not allowed (name them by a string instead). */
  options: Readonly<Record<string, unknown>>;
  /** Folder of the entry. Default: `.stepwise-index/` beside the first file. */
  indexDir?: string | null;
}

/** Stable JSON: object keys sorted, undefined dropped, so equal options hash alike. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value === null || typeof value !== "object") return value;
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return Object.fromEntries(entries.map(([k, v]) => [k, canonical(v)]));
}

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

/** The hash of a fit's options (and the cache version). */
export function optionsHash(options: Readonly<Record<string, unknown>>): string {
  return sha256(JSON.stringify([SCHEMA_CACHE_VERSION, canonical(options)]));
}

/**
 * Where the entry of `files` fitted with options hashing to `hash` lives: the first file's name
 * (to be recognisable), then a hash of every absolute path and the options.
 */
export function schemaCachePath(
  files: readonly string[],
  hash: string,
  indexDir: string | null = null,
): string {
  const absolute = files.map((file) => resolve(file));
  const first = absolute[0] ?? "data";
  const tag = sha256(JSON.stringify([absolute, hash])).slice(0, 16);
  return join(indexDir ?? defaultIndexDir(first), `${basename(first)}.${tag}.schema.json`);
}

/** Each file as it is now: path, size, modification time and content fingerprint. */
async function describeFiles(files: readonly string[]): Promise<CachedFile[]> {
  const out: CachedFile[] = [];
  for (const file of files) {
    const path = resolve(file);
    const info = await stat(path);
    const handle = await open(path, "r");
    try {
      const fingerprint = (await fingerprintFile(handle, info.size)).toString("hex");
      out.push({ path, sizeBytes: info.size, mtimeMs: info.mtimeMs, fingerprint });
    } finally {
      await handle.close();
    }
  }
  return out;
}

const sameFiles = (a: readonly CachedFile[], b: readonly CachedFile[]) =>
  a.length === b.length &&
  a.every((file, i) => {
    const other = b[i] as CachedFile;
    return (
      file.path === other.path &&
      file.sizeBytes === other.sizeBytes &&
      file.mtimeMs === other.mtimeMs &&
      file.fingerprint === other.fingerprint
    );
  });

/** The entry's schema when the file is intact and matches `hash` and `files`, else null. */
async function readEntry(path: string, hash: string, files: readonly CachedFile[]): Promise<Schema | null> {
  try {
    const entry = JSON.parse(await readFile(path, "utf8")) as SchemaCacheEntry;
    if (entry?.version !== SCHEMA_CACHE_VERSION || entry.optionsHash !== hash) return null;
    if (!Array.isArray(entry.files) || !sameFiles(entry.files, files)) return null;
    return parseSchema(entry.schema);
  } catch {
    return null; // missing, unreadable, damaged or an unknown schema: refit
  }
}

let written = 0;

/** Writes through a temporary file and a rename (readers see no entry or a whole one); false when not writable. */
async function writeEntry(path: string, entry: SchemaCacheEntry): Promise<boolean> {
  const temporary = `${path}.${process.pid}.${written++}.tmp`;
  try {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(temporary, `${JSON.stringify(entry)}\n`);
    await rename(temporary, path);
    return true;
  } catch {
    await rm(temporary, { force: true }).catch(() => {});
    return false;
  }
}

/**
 * The schema `fit` gives for `key`, from the cache when a matching entry exists; else `fit()`'s,
 * saved for next time when no file changed while it ran (a folder that is not writable keeps
 * nothing). Throws what `fit` throws, and `fs` errors when a data file cannot be read.
 * @example const { schema } = await cachedFit({ files: ["train.csv"], options: { label: "y" } }, () => inferSchema({ paths: "train.csv", label: "y" }))
 */
export async function cachedFit(
  key: SchemaCacheKey,
  fit: () => Promise<Schema>,
): Promise<{ schema: Schema; origin: SchemaOrigin }> {
  const hash = optionsHash(key.options);
  const path = schemaCachePath(key.files, hash, key.indexDir ?? null);
  const before = await describeFiles(key.files);
  const cached = await readEntry(path, hash, before);
  if (cached !== null) return { schema: cached, origin: "cached" };
  const schema = await fit();
  // A file that changed while it was read may have given a mix of old and new rows: not saved.
  const after = await describeFiles(key.files);
  if (!sameFiles(before, after)) return { schema, origin: "uncached" };
  const saved = await writeEntry(path, {
    version: SCHEMA_CACHE_VERSION,
    optionsHash: hash,
    files: before,
    schema,
  });
  return { schema, origin: saved ? "fitted" : "uncached" };
}
