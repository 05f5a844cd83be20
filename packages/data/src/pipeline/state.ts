import type { OnExhausted, ShardPolicy } from "@stepwise/core";
import { PipelineError } from "./errors.ts";
import type { ShuffleMode } from "./pass.ts";

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
export interface PipelineState {
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
export function checkState(state: unknown, config: PipelineConfig): PipelineState {
  if (typeof state !== "object" || state === null || Array.isArray(state)) {
    throw new PipelineError(`pipeline state must be an object, got ${show(state)}`);
  }
  const s = state as Partial<PipelineState>;
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
  return s as PipelineState;
}
