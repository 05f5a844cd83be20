import { createHash } from "node:crypto";

/** Hash before a manifest's first step. */
export const ZERO_HASH = "0".repeat(16);

/**
 * Header versions: 1 (no planned end, no end record: a missing tail cannot be told from a run that
 * stopped there) and 2 (`endStep`, and an end record when the writer closes). Both are read.
 */
export const MANIFEST_VERSIONS = [1, 2] as const;

/** First line of every run segment of a manifest file: who wrote the steps below it. */
export interface ManifestHeader {
  type: "header";
  format: "stepwise.manifest";
  version: 1 | 2;
  numSamples: number;
  batchSize: number;
  seed: number;
  numShards: number;
  shardIndex: number;
  /** The pipeline state's planHash when the source is indexed, else null. */
  planHash: string | null;
  /** First step this segment writes (0 for a fresh run, the resumed step otherwise). */
  startStep: number;
  /** Whether passes may leave rows out (dropRemainder or shardPolicy "drop"). */
  dropping: boolean;
  /** Hash the chain continues from: the hash of step startStep − 1 in this file, or ZERO_HASH. */
  previousHash: string;
  /**
   * Version 2: the step after the last step the run plans (its steps are `[0, endStep)` per rank),
   * or null when the plan cannot know it (data of unknown size). Absent in version 1.
   */
  endStep?: number | null;
}

/**
 * How a run segment ended, written as the last line of the segment when its writer closes
 * (version 2). `complete`: every planned step was written; `stopped-early`: the trainer ended the
 * run on purpose before its planned end (early stopping), so it is finished; `incomplete`: the run
 * failed or was interrupted and can be resumed. A segment without an end record was cut off: its
 * process was killed, or the file lost its last lines.
 */
export interface ManifestEnd {
  type: "end";
  /** The step after the last one written (the segment's last step + 1, or its startStep when empty). */
  nextStep: number;
  /** Hash of the last step written (the chain's head when the segment closed). */
  hash: string;
  reason: "complete" | "stopped-early" | "incomplete";
}

/** One training step as the consumer received it. */
export interface ManifestEntry {
  step: number;
  epoch: number;
  pass: number;
  batchInPass: number;
  /** Data rows of the batch (RowRef.index), in batch order. */
  rows: number[];
  /** The last `padding` rows are repeats that even out shards, not visits. */
  padding: number;
  /** Rolling hash: this entry chained to the previous step's hash. */
  hash: string;
}

/** The rolling hash: SHA-256 of the previous hash and the step's placement and rows, 16 hex digits. */
export function chainHash(previous: string, entry: Omit<ManifestEntry, "hash">): string {
  return createHash("sha256")
    .update(`${previous}|${entry.step}|${entry.epoch}|${entry.pass}|${entry.batchInPass}|${entry.padding}|`)
    .update(entry.rows.join(","))
    .digest("hex")
    .slice(0, 16);
}
