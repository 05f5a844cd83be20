import type { OnExhausted, Plan, ShardPolicy } from "@stepwise/core";
import type { Batch, SampleSource, WorkerSourceSpec } from "../types.ts";
import type { ShuffleMode } from "./pass-options.ts";
import type { PipelineState } from "./state.ts";

/** Buffer size K of a stream shuffle when none is given. */
export const DEFAULT_SHUFFLE_BUFFER = 1024;

/**
 * Samples per pass from which `loader: "auto"` makes the batches on a worker thread. Starting
 * the worker (a second module graph and a second open of the data) costs about half a second;
 * below this a whole pass prepares in less time than that on the calling thread.
 */
export const AUTO_WORKER_MIN_SAMPLES = 50_000;

/**
 * Where batches are made: `main` on the calling thread; `worker` on a worker thread, in parallel
 * with the caller's training steps (the source must be describable to a worker: see
 * `SampleSource.workerSpec`); `auto` the worker for a describable source of at least
 * `AUTO_WORKER_MIN_SAMPLES` samples per pass, else the calling thread.
 */
export type Loader = "main" | "worker" | "auto";

/** Settings of the worker thread of `loader: "worker"` (and of `auto` when it picks the worker). */
export interface WorkerLoaderOptions {
  /** How the worker builds the training source; default `source.workerSpec`. It must build the same data as `source`. */
  source?: WorkerSourceSpec;
  /**
   * Batches the worker may make ahead of the consumer; they travel in messages of up to a quarter
   * of it (at most 64). Default: as many as fit in 16 MiB, from 4 to 4096.
   */
  bufferSize?: number;
  /** Node flags for the worker thread. Default: this process's flags. */
  execArgv?: string[];
}

export interface PipelineOptions {
  source: SampleSource;
  batchSize: number;
  /** Run seed (rule 8). Unset: taken from `state`, else chosen once from crypto randomness and reported in `warnings`. */
  seed?: number;
  /** `auto` (default): `full` for block sources (indexed CSV), `permutation` for other random-access sources, `buffer` for streams. */
  shuffle?: "auto" | ShuffleMode;
  /** Buffer size K of a `buffer` shuffle. Default 1024. */
  shuffleBuffer?: number;
  /** Steps per epoch S; unset = one pass per epoch (rule 1). */
  stepsPerEpoch?: number | null;
  /** Index of the last epoch plus one (Keras meaning). Default 1. */
  epochs?: number;
  /** First epoch; its data starts at the epoch's first global step (rule 5). Default 0. */
  initialEpoch?: number;
  dropRemainder?: boolean;
  /** `repeat` (default, rule 2) or `stop` (Keras 3: an epoch ends when a pass does). */
  onExhausted?: OnExhausted;
  numShards?: number;
  shardIndex?: number;
  shardPolicy?: ShardPolicy;
  /**
   * Unknown numSamples (rule 6): `cheap` (default) calls `source.count()` when the source has one;
   * `always` also counts a source without it by reading one pass; `never` discovers N on the first
   * training pass. A sharded stream is always counted first: ranks must agree on the pass length.
   */
  count?: "cheap" | "always" | "never";
  /** Validation data (rule 4), never shuffled or sharded. */
  validation?: { source: SampleSource; batchSize?: number; steps?: number | null; freq?: number | number[] };
  /** Resume from this state (see `Pipeline.setState`). */
  state?: PipelineState;
  /** Where batches are made (see `Loader`). Default `auto`. */
  loader?: Loader;
  /** The worker thread's settings, when batches are made there. */
  worker?: WorkerLoaderOptions;
}

/** Where the next batch comes from; epoch fields are null while they depend on an unknown pass length. */
export interface PipelinePosition {
  step: number;
  epoch: number | null;
  stepInEpoch: number | null;
}

/**
 * A training data pipeline driven by the core plan; the same whichever thread makes the batches
 * (`loader`): the same plan, batches, states and errors.
 */
export interface Pipeline {
  /** Where the batches are made: this thread, or a worker thread. */
  readonly loader: "main" | "worker";
  /** The current plan; recomputed once an unknown numSamples is discovered. */
  readonly plan: Plan;
  readonly seed: number;
  readonly numSamples: number | null;
  /** Plan warnings plus pipeline notes (e.g. the seed that was chosen). */
  readonly warnings: string[];
  /** Where the next `epoch()`/`batches()` call continues (after `setState`) or the cursor is. */
  readonly position: PipelinePosition;
  /** Exactly the planned steps of epoch `epoch`; after `setState`, the first call for the state's epoch continues mid-epoch. */
  epoch(epoch: number): AsyncIterable<Batch>;
  /** Every planned batch from `initialEpoch` (or the resumed position) to the last epoch. */
  batches(): AsyncIterable<Batch>;
  /** One validation run (rule 4); throws `PipelineError` without validation data. */
  validation(epoch?: number): AsyncIterable<Batch>;
  /**
   * State to resume right after the last batch handed out (or where `setState` left it):
   * synchronous plain JSON, computed on this thread with either loader (a worker's read-ahead
   * does not move it).
   */
  getState(): PipelineState;
  /** State to resume right after `batch` (for consumers that read ahead, e.g. through `prefetch`). */
  stateAfter(batch: Pick<Batch, "step">): PipelineState;
  /** Continue exactly where `state` was taken. Throws `PipelineError` for a bad or incompatible state. */
  setState(state: PipelineState): Promise<void>;
  /** Releases the open pass (closes the source stream) and stops the worker thread, if any. */
  close(): Promise<void>;
}
