import { readFile } from "node:fs/promises";
import { DataError } from "../errors.ts";
import {
  chainHash,
  MANIFEST_VERSIONS,
  type ManifestEnd,
  type ManifestEntry,
  type ManifestHeader,
} from "./format.ts";

/** An entry with where it came from. */
export interface Entry extends ManifestEntry {
  /** `shardIndex/numShards` of the rank that wrote it. */
  rank: string;
  numShards: number;
  where: string;
  dropping: boolean;
}

/** One run segment of a file: a header, the steps below it, and how it ended (null: cut off, or version 1). */
export interface Segment {
  header: ManifestHeader;
  /** `file:line` of the header. */
  where: string;
  rank: string;
  /** Steps written in this segment (last step + 1), or the header's startStep when it has none. */
  nextStep: number;
  end: ManifestEnd | null;
}

const MAX_PROBLEMS = 50;

/** Findings, one line each, the first 50 kept. */
export class Problems {
  readonly list: string[] = [];
  add(text: string): void {
    if (this.list.length < MAX_PROBLEMS) this.list.push(text);
  }
}

function isCount(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
}

const rankOf = (header: ManifestHeader) => `${header.shardIndex}/${header.numShards}`;

/** An end record: its counts and reason, or null when it is not one. */
function asEnd(value: Record<string, unknown>): ManifestEnd | null {
  const reasons = ["complete", "stopped-early", "incomplete"];
  if (!isCount(value.nextStep) || typeof value.hash !== "string" || !reasons.includes(String(value.reason)))
    return null;
  return value as unknown as ManifestEnd;
}

/** Headers, segments and entries of the files as written, hash chains and end records checked. */
async function parse(
  paths: readonly string[],
  problems: Problems,
): Promise<{ headers: ManifestHeader[]; segments: Segment[]; entries: Entry[] }> {
  const headers: ManifestHeader[] = [];
  const segments: Segment[] = [];
  const entries: Entry[] = [];
  for (const path of paths) {
    let text: string;
    try {
      text = await readFile(path, "utf8");
    } catch (error) {
      throw new DataError({
        code: "file-not-found",
        file: path,
        reason: "cannot read the manifest",
        cause: error,
      });
    }
    let segment: Segment | null = null;
    let hash = "";
    text.split("\n").forEach((line, i) => {
      if (line.trim() === "") return;
      const where = `${path}:${i + 1}`;
      let value: Record<string, unknown>;
      try {
        value = JSON.parse(line) as Record<string, unknown>;
      } catch {
        problems.add(`${where}: not a JSON line`);
        return;
      }
      if (value.type === "header") {
        if (
          value.format !== "stepwise.manifest" ||
          !(MANIFEST_VERSIONS as readonly unknown[]).includes(value.version)
        ) {
          problems.add(
            `${where}: not a stepwise manifest header (format ${JSON.stringify(value.format)}, version ${JSON.stringify(value.version)})`,
          );
          return;
        }
        const header = value as unknown as ManifestHeader;
        headers.push(header);
        segment = { header, where, rank: rankOf(header), nextStep: header.startStep, end: null };
        segments.push(segment);
        hash = header.previousHash;
        return;
      }
      if (segment === null) {
        problems.add(`${where}: ${value.type === "end" ? "end record" : "step"} before any header`);
        return;
      }
      const current: Segment = segment;
      if (value.type === "end") {
        const end = asEnd(value);
        if (end === null) problems.add(`${where}: malformed end record`);
        else if (current.end !== null)
          problems.add(`${where}: a second end record in the segment of ${current.where}`);
        else {
          current.end = end;
          if (end.nextStep !== current.nextStep || end.hash !== hash) {
            problems.add(
              `${where}: the end record says the segment wrote steps up to ${end.nextStep - 1}, the file has them up to ${current.nextStep - 1}: lines before it are missing or were edited`,
            );
          }
        }
        return;
      }
      if (current.end !== null) {
        problems.add(
          `${where}: step after the end record of its segment; a resumed run starts with a header`,
        );
        return;
      }
      const entry = value as unknown as ManifestEntry;
      const rows = entry.rows as unknown;
      const counts = [entry.step, entry.epoch, entry.pass, entry.batchInPass, entry.padding];
      if (
        !counts.every(isCount) ||
        !Array.isArray(rows) ||
        !rows.every(isCount) ||
        entry.padding > rows.length
      ) {
        problems.add(`${where}: malformed step entry`);
        return;
      }
      const expected = chainHash(hash, entry);
      if (entry.hash !== expected) {
        problems.add(
          `${where}: step ${entry.step}: hash ${entry.hash} does not continue the chain (expected ${expected}): the line was edited`,
        );
      }
      hash = entry.hash;
      current.nextStep = entry.step + 1;
      const h: ManifestHeader = current.header;
      entries.push({
        ...entry,
        rank: current.rank,
        numShards: h.numShards,
        where,
        dropping: h.dropping,
      });
    });
  }
  return { headers, segments, entries };
}

/**
 * The entries of the timeline that counts, one per (rank, step). A resumed run (a header with
 * startStep s) replaces every step ≥ s written before it: steps at the same shard count must then
 * repeat exactly (deterministic resume), steps of another shard count are abandoned.
 */
function current(headers: ManifestHeader[], entries: Entry[], problems: Problems): Map<string, Entry> {
  const starts = [...new Set(headers.map((h) => h.startStep))].sort((a, b) => a - b);
  const layoutAt = (step: number): Set<number> => {
    let start = 0;
    for (const s of starts) if (s <= step) start = s;
    return new Set(headers.filter((h) => h.startStep === start).map((h) => h.numShards));
  };
  const kept = new Map<string, Entry>();
  for (const entry of entries) {
    if (!layoutAt(entry.step).has(entry.numShards)) continue;
    const key = `${entry.rank}/${entry.step}`;
    const seen = kept.get(key);
    if (seen === undefined) kept.set(key, entry);
    else if (seen.hash !== entry.hash || seen.rows.join() !== entry.rows.join()) {
      problems.add(
        `${entry.where}: step ${entry.step} (rank ${entry.rank}) was written before at ${seen.where} with other rows: the resumed run differs from the interrupted one`,
      );
    }
  }
  return kept;
}

/** The manifest files' headers and segments, and the entries of the timeline that counts, by `rank/step`. */
export async function load(
  paths: readonly string[],
  problems: Problems,
): Promise<{ headers: ManifestHeader[]; segments: Segment[]; entries: Map<string, Entry> }> {
  const { headers, segments, entries } = await parse(paths, problems);
  return { headers, segments, entries: current(headers, entries, problems) };
}
