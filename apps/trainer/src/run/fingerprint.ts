import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { resolve } from "node:path";
import { resolveCsvFiles } from "@stepwise/data/internals";

/** Identity of one data file at the time a run started. */
export interface FileFingerprint {
  path: string;
  bytes: number;
  sha256: string;
}

async function sha256(path: string): Promise<string> {
  const hash = createHash("sha256");
  // Streamed: data files may be far larger than memory.
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

/**
 * Size and content hash of every file of a data spec, in the data package's file order
 * (modification times alone would miss copies and restores).
 */
export async function fingerprintData(spec: string): Promise<FileFingerprint[]> {
  const files = (await resolveCsvFiles(spec)).map((file) => resolve(file));
  const out: FileFingerprint[] = [];
  for (const path of files) {
    const info = await stat(path);
    out.push({ path, bytes: info.size, sha256: await sha256(path) });
  }
  return out;
}

/** The first difference between two fingerprints as a short phrase, or `null` when equal. */
export function fingerprintChange(
  saved: readonly FileFingerprint[],
  now: readonly FileFingerprint[],
): string | null {
  const byPath = new Map(now.map((f) => [f.path, f]));
  for (const file of saved) {
    const current = byPath.get(file.path);
    if (!current) return `${file.path} is gone`;
    if (current.bytes !== file.bytes)
      return `${file.path} changed size (${file.bytes} → ${current.bytes} bytes)`;
    if (current.sha256 !== file.sha256) return `${file.path} changed content`;
    byPath.delete(file.path);
  }
  const added = [...byPath.keys()][0];
  return added === undefined ? null : `${added} was added`;
}

/** Stable hash of a JSON value (object keys sorted), for detecting config edits. */
export function hashJson(value: unknown): string {
  const canonical = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(canonical);
    if (v === null || typeof v !== "object") return v;
    return Object.fromEntries(
      Object.keys(v as object)
        .sort()
        .map((key) => [key, canonical((v as Record<string, unknown>)[key])]),
    );
  };
  return createHash("sha256")
    .update(JSON.stringify(canonical(value)))
    .digest("hex");
}
