import type { OnExhausted, ShardPolicy } from "@stepwise/core";
import { sha256Hex } from "#platform";
import { PipelineError } from "./errors.ts";
import type { ShuffleMode } from "./pass-options.ts";

/** The settings that decide which batch comes at which step; a state only resumes a pipeline with equal ones. */
export interface PipelineConfig {
  numFeatures: number;
  batchSize: number;
  dropRemainder: boolean;
  stepsPerEpoch: number | null;
  onExhausted: OnExhausted;
  shuffle: ShuffleMode;
  /** Buffer size K of a `buffer` shuffle, else null. */
  shuffleBuffer: number | null;
  numShards: number;
  shardIndex: number;
  shardPolicy: ShardPolicy;
}

/**
 * Where a run is in its data (rule 9), as plain JSON. The position is the global step alone:
 * random-access sources reach any step by arithmetic, streams replay the current pass up to it.
 */
export interface PipelineStateV1 {
  format: "stepwise.pipeline";
  version: 1;
  seed: number;
  /** Next global step to produce (0-based). */
  step: number;
  /** Epoch and step within it of `step`: where a resumed run continues; null while numSamples is unknown and epochs follow passes. */
  epoch: number | null;
  stepInEpoch: number | null;
  /** Training samples per pass when known (discovered streams record it, so resuming does not count again). */
  numSamples: number | null;
  config: PipelineConfig;
}

export const PIPELINE_STATE_VERSION = 1;

/** Version of the position-only state of pipelines over block sources. */
export const INDEXED_STATE_VERSION = 2;

/**
 * The state of a pipeline over a block source (an indexed CSV file) with `full` or `none`
 * shuffle: the data position in a few numbers, the same on every rank. Resuming needs no replay
 * (any position of any pass is arithmetic), and the state stays valid when the number of shards
 * changes: the samples of pass `pass` at pass-order positions `[passOffset, numSamples)` are then
 * dealt round-robin to the new ranks (rank r takes `passOffset + r`, `passOffset + r + W`, …;
 * see core `DealLayout`), so within the pass no sample is lost or repeated (beyond `pad` padding), and
 * later passes follow the new shard count. Changing the shard count needs fixed-length epochs
 * (`stepsPerEpoch` with onExhausted `repeat`), since pass lengths in steps change.
 */
export interface IndexedPipelineState {
  format: "stepwise.pipeline";
  version: 2;
  seed: number;
  /** Pass of the next step (0-based). */
  pass: number;
  /** Next global step to produce (0-based). */
  step: number;
  /** Positions of the pass order that all ranks together have consumed: `batchInPass · batchSize · numShards`. */
  passOffset: number;
  /** `planHash` of the settings that decide the batches (shard count and epochs excluded). */
  planHash: string;
}

/** A resume state: `PipelineStateV1` (config and replay position) or, for block sources, `IndexedPipelineState`. */
export type PipelineState = PipelineStateV1 | IndexedPipelineState;

/** The settings a position-only state must agree on; the shard count may change, the epochs may be extended. */
export type PlanIdentity = { numSamples: number } & Pick<
  PipelineConfig,
  "numFeatures" | "batchSize" | "dropRemainder" | "stepsPerEpoch" | "onExhausted" | "shuffle" | "shardPolicy"
>;

/**
 * A stable 16-hex-digit hash of the plan-relevant settings (SHA-256 of their JSON in a fixed key
 * order): equal settings give equal hashes on every machine and version of Node.
 * @example planHash({ numSamples: 1000, numFeatures: 4, batchSize: 32, dropRemainder: false, stepsPerEpoch: null, onExhausted: "repeat", shuffle: "full", shardPolicy: "pad" })
 */
export function planHash(identity: PlanIdentity): string {
  const keys: (keyof PlanIdentity)[] = [
    "numSamples",
    "numFeatures",
    "batchSize",
    "dropRemainder",
    "stepsPerEpoch",
    "onExhausted",
    "shuffle",
    "shardPolicy",
  ];
  const text = JSON.stringify(keys.map((key) => [key, identity[key]]));
  return sha256Hex(text).slice(0, 16);
}

/** Whether `state` is the position-only state of a block-source pipeline (it has a planHash). */
export function isIndexedState(state: unknown): boolean {
  return typeof state === "object" && state !== null && "planHash" in state;
}

/**
 * Checks a position-only state against this pipeline's `planHash`; returns it typed. Throws
 * `PipelineError` naming the first problem.
 */
export function checkIndexedState(state: unknown, hash: string, numSamples: number): IndexedPipelineState {
  if (typeof state !== "object" || state === null || Array.isArray(state)) {
    throw new PipelineError(`pipeline state must be an object, got ${show(state)}`);
  }
  const s = state as Partial<IndexedPipelineState> & { version?: unknown };
  if (s.format !== "stepwise.pipeline") {
    throw new PipelineError(
      `not a pipeline state: format is ${show(s.format)}, expected "stepwise.pipeline"`,
    );
  }
  if (s.version !== INDEXED_STATE_VERSION) {
    throw new PipelineError(
      `pipeline state version ${show(s.version)} cannot resume a pipeline over an indexed source, which reads version ${INDEXED_STATE_VERSION} (a state saved with another source or shuffle?)`,
    );
  }
  for (const key of ["seed", "pass", "step", "passOffset"] as const) {
    if (!isNonNegativeInteger(s[key])) {
      throw new PipelineError(`pipeline state ${key} must be a non-negative integer, got ${show(s[key])}`);
    }
  }
  if ((s.passOffset as number) >= numSamples) {
    throw new PipelineError(
      `pipeline state passOffset ${s.passOffset} is not below numSamples ${numSamples}: the data changed`,
    );
  }
  if (s.planHash !== hash) {
    throw new PipelineError(
      `pipeline state was saved with planHash ${show(s.planHash)}, this pipeline has "${hash}": ` +
        "the data size, batch size, shuffle or epoch settings differ, and resuming would change the batches",
    );
  }
  return s as IndexedPipelineState;
}

const CONFIG_KEYS: readonly (keyof PipelineConfig)[] = [
  "numFeatures",
  "batchSize",
  "dropRemainder",
  "stepsPerEpoch",
  "onExhausted",
  "shuffle",
  "shuffleBuffer",
  "numShards",
  "shardIndex",
  "shardPolicy",
];

function show(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}

function isNonNegativeInteger(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
}

/**
 * Checks that `state` is a pipeline state this version reads and that it was saved by a pipeline
 * with the same `config`; returns it typed. Throws `PipelineError` naming the first problem.
 */
export function checkState(state: unknown, config: PipelineConfig): PipelineStateV1 {
  if (typeof state !== "object" || state === null || Array.isArray(state)) {
    throw new PipelineError(`pipeline state must be an object, got ${show(state)}`);
  }
  const s = state as Partial<PipelineStateV1>;
  if (s.format !== "stepwise.pipeline") {
    throw new PipelineError(
      `not a pipeline state: format is ${show(s.format)}, expected "stepwise.pipeline"`,
    );
  }
  if (s.version !== PIPELINE_STATE_VERSION) {
    throw new PipelineError(
      `pipeline state version ${show(s.version)} is not supported (this version reads ${PIPELINE_STATE_VERSION})`,
    );
  }
  if (!isNonNegativeInteger(s.seed))
    throw new PipelineError(`pipeline state seed must be a non-negative integer, got ${show(s.seed)}`);
  if (!isNonNegativeInteger(s.step))
    throw new PipelineError(`pipeline state step must be a non-negative integer, got ${show(s.step)}`);
  if (s.numSamples !== null && !(isNonNegativeInteger(s.numSamples) && s.numSamples > 0)) {
    throw new PipelineError(
      `pipeline state numSamples must be a positive integer or null, got ${show(s.numSamples)}`,
    );
  }
  if (typeof s.config !== "object" || s.config === null) {
    throw new PipelineError(`pipeline state config must be an object, got ${show(s.config)}`);
  }
  for (const key of CONFIG_KEYS) {
    const saved = (s.config as Partial<PipelineConfig>)[key];
    if (saved !== config[key]) {
      throw new PipelineError(
        `pipeline state was saved with ${key} ${show(saved)}, this pipeline has ${show(config[key])}; resuming would change the batches`,
      );
    }
  }
  return s as PipelineStateV1;
}
