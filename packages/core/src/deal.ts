import { locateStep, type Schedule } from "./position.ts";
import type { ShardLayout, ShardPolicy } from "./shard.ts";
import { nonNegativeInteger, oneOf, PlanError, positiveInteger } from "./validate.ts";

/**
 * How the rest of one pass is dealt to the ranks: the one mapping from a rank's i-th sample of
 * a pass to a position of the pass order (and whether it is padding). The pass order is the
 * pass's permutation of `[0, numSamples)`; positions `[0, passOffset)` were consumed already (by
 * any number of ranks), and the rest is dealt round-robin to the `numShards` ranks from
 * `passOffset` on: rank r's i-th sample is at position `passOffset + i·numShards + r`. With `pad`,
 * every rank gets `ceil(R / numShards)` samples (R = numSamples − passOffset) and positions past
 * the end wrap to the start of the pass order (rows the pass already had: padding, as PyTorch's
 * DistributedSampler does); with `drop`, `floor(R / numShards)` and the last `R mod numShards`
 * positions are left out. With `passOffset` 0 this is `shardLayout`/`shardPosition`.
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

/**
 * Checks and builds a deal layout. Throws `PlanError` for a bad count, a shardIndex ≥ numShards
 * or a passOffset outside `[0, numSamples)`.
 * @example dealLayout({ numSamples: 10, numShards: 4, shardIndex: 1, policy: "pad", passOffset: 6 }) // samplesPerShard 1
 */
export function dealLayout(options: {
  numSamples: number;
  numShards: number;
  shardIndex: number;
  policy: ShardPolicy;
  passOffset: number;
}): DealLayout {
  const numSamples = positiveInteger("numSamples", options.numSamples);
  const numShards = positiveInteger("numShards", options.numShards);
  const shardIndex = nonNegativeInteger("shardIndex", options.shardIndex);
  const policy = oneOf("shardPolicy", options.policy, ["pad", "drop"] as const);
  const passOffset = nonNegativeInteger("passOffset", options.passOffset);
  if (shardIndex >= numShards) {
    throw new PlanError(`shardIndex must be below numShards ${numShards}, got ${shardIndex}`);
  }
  if (passOffset >= numSamples) {
    throw new PlanError(`passOffset must be below numSamples ${numSamples}, got ${passOffset}`);
  }
  const rest = numSamples - passOffset;
  const samplesPerShard = policy === "drop" ? Math.floor(rest / numShards) : Math.ceil(rest / numShards);
  return { numSamples, numShards, shardIndex, policy, passOffset, samplesPerShard };
}

/**
 * Unwrapped pass-order position of this rank's i-th sample: `passOffset + i·numShards + shardIndex`.
 * A result ≥ numSamples is padding, read at `position mod numSamples`.
 */
export function dealPosition(layout: DealLayout, i: number): number {
  return dealt(layout.passOffset, i, layout.numShards, layout.shardIndex);
}

// The mapping itself, in one place; no object per call (stream passes call it per sample).
function dealt(passOffset: number, i: number, numShards: number, shardIndex: number): number {
  return passOffset + i * numShards + shardIndex;
}

/**
 * A pass resumed at another shard count: global steps `[step, step + steps)` read the rest of pass
 * `pass` dealt from `passOffset` (see `DealLayout`), as batches `firstBatch, firstBatch + 1, …`;
 * later passes follow the plan again, each `stepsPerPass` steps long.
 */
export interface Redeal {
  step: number;
  pass: number;
  passOffset: number;
  /** `ceil(passOffset / (batchSize·numShards))`: the batch index the rest of the pass starts at. */
  firstBatch: number;
  /** Batches each rank reads from the rest of the pass. */
  steps: number;
}

/**
 * The redeal that resumes at (`step`, `pass`, `passOffset`) with this shard count and batch size.
 * Throws `PlanError` as `dealLayout` does.
 * @example redealAt({ step: 7, pass: 1, passOffset: 40 }, { numSamples: 100, numShards: 3, policy: "pad", batchSize: 10, dropRemainder: false }) // firstBatch 2, steps 2
 */
export function redealAt(
  position: { step: number; pass: number; passOffset: number },
  layout: {
    numSamples: number;
    numShards: number;
    policy: ShardPolicy;
    batchSize: number;
    dropRemainder: boolean;
  },
): Redeal {
  const { samplesPerShard } = dealLayout({ ...layout, shardIndex: 0, passOffset: position.passOffset });
  const batchSize = positiveInteger("batchSize", layout.batchSize);
  return {
    step: position.step,
    pass: position.pass,
    passOffset: position.passOffset,
    firstBatch: Math.ceil(position.passOffset / (batchSize * layout.numShards)),
    steps: layout.dropRemainder
      ? Math.floor(samplesPerShard / batchSize)
      : Math.ceil(samplesPerShard / batchSize),
  };
}

/**
 * Pass and batch in pass of global step `step`: the plan's (`locateStep`; pass 0 while numSamples
 * is unknown), shifted after a redeal. Throws `PlanError` for a step before the redeal, whose
 * data the new shard count cannot reproduce.
 */
export function locateBatch(
  schedule: Schedule,
  step: number,
  redeal: Redeal | null,
): { pass: number; batchInPass: number } {
  if (redeal === null) {
    const at = locateStep(schedule, step);
    return { pass: at.pass ?? 0, batchInPass: at.batchInPass ?? 0 };
  }
  nonNegativeInteger("step", step);
  if (step < redeal.step) {
    throw new PlanError(
      `step ${step} comes before step ${redeal.step}, where this run resumed with another shard count; earlier steps are not reproducible with this shard count`,
    );
  }
  const after = step - redeal.step - redeal.steps;
  if (after < 0) return { pass: redeal.pass, batchInPass: redeal.firstBatch + step - redeal.step };
  const perPass = schedule.stepsPerPass;
  if (perPass === null)
    throw new PlanError("cannot locate a step after a redeal while numSamples is unknown");
  return { pass: redeal.pass + 1 + Math.floor(after / perPass), batchInPass: after % perPass };
}

/** Batches of pass `pass` (its last batch index + 1), or null while numSamples is unknown. */
export function batchesInPass(
  schedule: Pick<Schedule, "stepsPerPass">,
  pass: number,
  redeal: Redeal | null,
): number | null {
  return redeal !== null && pass === redeal.pass ? redeal.firstBatch + redeal.steps : schedule.stepsPerPass;
}

/**
 * Pass-order position where batch `batchInPass` of pass `pass` starts, over all `numShards`
 * ranks: what a position-only resume state records. The inverse of `locateBatch` with `redealAt`.
 */
export function passOffsetAt(
  at: { pass: number; batchInPass: number },
  layout: { batchSize: number; numShards: number },
  redeal: Redeal | null,
): number {
  const from = redeal !== null && at.pass === redeal.pass ? redeal : { passOffset: 0, firstBatch: 0 };
  return from.passOffset + (at.batchInPass - from.firstBatch) * layout.batchSize * layout.numShards;
}

/**
 * Maps position `i` of this rank's pass to a position in the whole pass order `[0, N)`.
 * Ranks interleave (rank r takes r, r+W, r+2W, …) and padding wraps to the start of the
 * pass, exactly as PyTorch's DistributedSampler does, so shards are disjoint except for padding.
 * This is `dealPosition` of the whole pass (passOffset 0), wrapped.
 */
export function shardPosition(layout: ShardLayout, i: number): number {
  if (!Number.isSafeInteger(i) || i < 0 || i >= layout.samplesPerShard) {
    throw new PlanError(`position must be an integer in [0, ${layout.samplesPerShard}), got ${i}`);
  }
  return dealt(0, i, layout.numShards, layout.shardIndex) % layout.numSamples;
}
