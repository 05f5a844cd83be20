import { type FileHandle, open, readFile } from "node:fs/promises";
import { DataError } from "../errors.ts";
import type { Pipeline } from "../pipeline/api.ts";
import { isPadding } from "../pipeline/block.ts";
import type { Batch } from "../types.ts";
import { chainHash, type ManifestEnd, type ManifestEntry, type ManifestHeader, ZERO_HASH } from "./format.ts";

/** What a manifest header records; `manifestOptions(pipeline)` fills it from a pipeline. */
export interface ManifestOptions {
  numSamples: number;
  batchSize: number;
  seed: number;
  numShards?: number;
  shardIndex?: number;
  planHash?: string | null;
  /** First step this run writes. 0 (default) starts the file afresh; more appends and continues its hash chain. */
  startStep?: number;
  /** Whether passes may leave rows out (dropRemainder or shardPolicy "drop"). Default false. */
  dropping?: boolean;
  /** The step after the run's last planned step (null: unknown); lets `verifyManifest` tell a missing tail. */
  endStep?: number | null;
}

/** Appends one JSON line per consumed step. */
export interface ManifestWriter {
  readonly path: string;
  /** Records a batch the consumer trained on (call in step order). Throws `DataError` for a step out of order. */
  write(batch: Pick<Batch, "step" | "epoch" | "pass" | "batchInPass" | "rows">): Promise<void>;
  /**
   * Writes the end record and closes the file. The record says `complete` when every planned step
   * was written (or, the plan's end being unknown, when `outcome.finished`), `stopped-early` when
   * `outcome.stoppedEarly` (the run ended on purpose, as early stopping does), else `incomplete`
   * (the run failed or was interrupted: call `close()` without an outcome then).
   */
  close(outcome?: { finished?: boolean; stoppedEarly?: boolean }): Promise<void>;
}

/** Manifest options for a pipeline at its current position (the step the next batch will have). */
export function manifestOptions(pipeline: Pipeline): ManifestOptions {
  const { plan } = pipeline;
  if (pipeline.numSamples === null) {
    throw new DataError({
      code: "options",
      reason: "a manifest needs a known numSamples (count the data first)",
    });
  }
  const state = pipeline.getState();
  return {
    numSamples: pipeline.numSamples,
    batchSize: plan.batchSize,
    seed: pipeline.seed,
    numShards: plan.shard?.numShards ?? 1,
    shardIndex: plan.shard?.shardIndex ?? 0,
    planHash: "planHash" in state ? state.planHash : null,
    startStep: pipeline.position.step,
    dropping: plan.dropRemainder || plan.shard?.policy === "drop",
    endStep: plan.epochs.at(-1)?.endStep ?? null,
  };
}

/** Hash of step `step` in an existing manifest, or null (no file, or no such step). */
async function hashAt(path: string, step: number): Promise<string | null> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch {
    return null;
  }
  let found: string | null = null;
  for (const line of text.split("\n")) {
    if (!line.startsWith('{"step":')) continue;
    const entry = JSON.parse(line) as ManifestEntry;
    if (entry.step === step) found = entry.hash;
  }
  return found;
}

/**
 * Opens a per-step coverage manifest (JSON lines): a header, then for every step its epoch, pass,
 * data rows, padding count and a rolling hash chained over all steps, so two runs that agree on
 * the last hash agree on every batch. `startStep` 0 truncates the file; a resumed run appends a
 * new header and continues the chain from the hash of step `startStep − 1`. Check it with
 * `verifyManifest`. Throws `DataError` (io) when the file cannot be written.
 * @example const manifest = await openManifest("run/manifest.jsonl", manifestOptions(pipeline))
 */
export async function openManifest(path: string, options: ManifestOptions): Promise<ManifestWriter> {
  const startStep = options.startStep ?? 0;
  const previousHash = startStep > 0 ? ((await hashAt(path, startStep - 1)) ?? ZERO_HASH) : ZERO_HASH;
  const header: ManifestHeader = {
    type: "header",
    format: "stepwise.manifest",
    version: 2,
    numSamples: options.numSamples,
    batchSize: options.batchSize,
    seed: options.seed,
    numShards: options.numShards ?? 1,
    shardIndex: options.shardIndex ?? 0,
    planHash: options.planHash ?? null,
    startStep,
    dropping: options.dropping ?? false,
    previousHash,
    endStep: options.endStep ?? null,
  };
  const failed = (error: unknown) =>
    new DataError({
      code: "io",
      file: path,
      reason: `cannot write the manifest: ${(error as Error).message}`,
      cause: error,
    });
  let handle: FileHandle;
  try {
    handle = await open(path, startStep > 0 ? "a" : "w");
    await handle.write(`${JSON.stringify(header)}\n`);
  } catch (error) {
    throw failed(error);
  }
  let hash = previousHash;
  let nextStep = startStep;
  return {
    path,
    async write(batch) {
      if (batch.step !== nextStep) {
        throw new DataError({
          code: "options",
          file: path,
          reason: `manifest expected step ${nextStep}, got step ${batch.step}: write every consumed batch, in order`,
        });
      }
      const padding = batch.rows.filter(isPadding).length;
      if (padding > 0 && !batch.rows.slice(batch.rows.length - padding).every(isPadding)) {
        throw new DataError({
          code: "options",
          file: path,
          reason: `step ${batch.step}: padding rows must end the batch`,
        });
      }
      const entry: Omit<ManifestEntry, "hash"> = {
        step: batch.step,
        epoch: batch.epoch,
        pass: batch.pass,
        batchInPass: batch.batchInPass,
        rows: batch.rows.map((row) => row.index),
        padding,
      };
      hash = chainHash(hash, entry);
      nextStep++;
      try {
        await handle.write(`${JSON.stringify({ ...entry, hash })}\n`);
      } catch (error) {
        throw failed(error);
      }
    },
    async close(outcome = {}) {
      const endStep = header.endStep ?? null;
      // With a known plan the steps decide; else the caller says whether its run finished.
      const reached =
        endStep !== null ? nextStep >= endStep : outcome.finished === true && outcome.stoppedEarly !== true;
      const reason: ManifestEnd["reason"] = reached
        ? "complete"
        : outcome.stoppedEarly
          ? "stopped-early"
          : "incomplete";
      const end: ManifestEnd = { type: "end", nextStep, hash, reason };
      try {
        await handle.write(`${JSON.stringify(end)}\n`);
      } catch (error) {
        throw failed(error);
      } finally {
        await handle.close();
      }
    },
  };
}
