/**
 * @stepwise/core — the epoch arithmetic of a training run: steps per pass, the epoch plan,
 * position mapping for exact resume, sharding and seeded permutations. Pure: no I/O, no
 * tfjs, no clock, no global random.
 */

export {
  batchesInPass,
  type DealLayout,
  dealLayout,
  dealPosition,
  locateBatch,
  passOffsetAt,
  type Redeal,
  redealAt,
  shardPosition,
} from "./deal.ts";
export {
  identityPermutation,
  MAX_PERMUTATION_SAMPLES,
  type Permutation,
  passSeed,
  permutation,
} from "./permutation.ts";
export {
  type EpochPlan,
  epochRange,
  MAX_PLANNED_EPOCHS,
  ON_EXHAUSTED,
  type OnExhausted,
  type PassSpan,
  type Plan,
  type PlanOptions,
  plan,
  validatesAfter,
} from "./plan.ts";
export { epochStartStep, locateStep, type Position, type Schedule, stepAtBatch, stepOf } from "./position.ts";
export { SHARD_POLICIES, type ShardLayout, type ShardPolicy, shardLayout } from "./shard.ts";
export { batchBounds, type PassLayout, passLayout, samplesInBatches } from "./steps.ts";
export { PlanError, quote } from "./validate.ts";
