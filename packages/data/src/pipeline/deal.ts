import type { ShardPolicy } from "@stepwise/core";
import { integerAtLeast, PipelineError } from "./errors.ts";

/**
 * How the rest of one pass is dealt to the ranks. The pass order is the pass's permutation of
 * `[0, numSamples)`; positions `[0, passOffset)` were consumed already (by any number of ranks),
 * and the rest is dealt round-robin to the `numShards` ranks from `passOffset` on: rank r's i-th
 * sample is at position `passOffset + i·numShards + r`. With `pad`, every rank gets
 * `ceil(R / numShards)` samples (R = numSamples − passOffset) and positions past the end wrap to
 * the start of the pass order (rows the pass already had: padding, as PyTorch's
 * DistributedSampler does); with `drop`, `floor(R / numShards)` and the last `R mod numShards`
 * positions are left out. With `passOffset` 0 this is exactly core's `shardLayout`/`shardPosition`.
 */
export interface DealLayout {
  numSamples: number;
  numShards: number;
  shardIndex: number;
  policy: ShardPolicy;
  passOffset: number;
  /** Samples each rank takes from the rest of the pass; the same on every rank. */
  samplesPerShard: number;
}

/** Checks and builds a deal layout. Throws `PipelineError` for a passOffset outside `[0, numSamples)`. */
export function dealLayout(options: {
  numSamples: number;
  numShards: number;
  shardIndex: number;
  policy: ShardPolicy;
  passOffset: number;
}): DealLayout {
  const numSamples = integerAtLeast("numSamples", options.numSamples, 1);
  const numShards = integerAtLeast("numShards", options.numShards, 1);
  const shardIndex = integerAtLeast("shardIndex", options.shardIndex, 0);
  const passOffset = integerAtLeast("passOffset", options.passOffset, 0);
  if (passOffset >= numSamples) {
    throw new PipelineError(`passOffset must be below numSamples ${numSamples}, got ${passOffset}`);
  }
  const rest = numSamples - passOffset;
  const samplesPerShard =
    options.policy === "drop" ? Math.floor(rest / numShards) : Math.ceil(rest / numShards);
  return { numSamples, numShards, shardIndex, policy: options.policy, passOffset, samplesPerShard };
}

/**
 * Unwrapped pass-order position of this rank's i-th sample: `passOffset + i·numShards + shardIndex`.
 * A result ≥ numSamples is padding, read at `position mod numSamples`.
 */
export function dealPosition(layout: DealLayout, i: number): number {
  return layout.passOffset + i * layout.numShards + layout.shardIndex;
}

/**
 * A pass resumed at another shard count: global steps `[step, step + steps)` read the rest of pass
 * `pass` dealt from `passOffset` (see `DealLayout`), reported as batches `firstBatch, firstBatch + 1, …`;
 * later passes follow the plan again, each `stepsPerPass` steps long.
 */
export interface Rebase {
  step: number;
  pass: number;
  passOffset: number;
  /** `ceil(passOffset / (batchSize·numShards))`: the batch index the rest of the pass starts at. */
  firstBatch: number;
  /** Batches each rank reads from the rest of the pass. */
  steps: number;
}

/** The rebase for resuming at (`step`, `pass`, `passOffset`) with this pipeline's shard count and batch size. */
export function rebaseAt(
  position: { step: number; pass: number; passOffset: number },
  layout: {
    numSamples: number;
    numShards: number;
    policy: ShardPolicy;
    batchSize: number;
    dropRemainder: boolean;
  },
): Rebase {
  const { samplesPerShard } = dealLayout({ ...layout, shardIndex: 0, passOffset: position.passOffset });
  const { batchSize } = layout;
  return {
    ...position,
    firstBatch: Math.ceil(position.passOffset / (batchSize * layout.numShards)),
    steps: layout.dropRemainder
      ? Math.floor(samplesPerShard / batchSize)
      : Math.ceil(samplesPerShard / batchSize),
  };
}
