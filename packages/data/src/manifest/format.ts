import { createHash } from "node:crypto";

/** Hash before a manifest's first step. */
export const ZERO_HASH = "0".repeat(16);

/** First line of every run segment of a manifest file: who wrote the steps below it. */
export interface ManifestHeader {
  type: "header";
  format: "stepwise.manifest";
  version: 1;
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
