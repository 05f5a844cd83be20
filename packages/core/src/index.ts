/**
 * @stepwise/core — the epoch arithmetic of a training run: steps per pass, the epoch plan,
 * position mapping for exact resume, sharding and seeded permutations. Pure: no I/O, no
 * tfjs, no clock, no global random.
 */
export { PlanError, quote } from "./validate.ts";
export { type PassLayout, passLayout, batchBounds, samplesInBatches } from "./steps.ts";
export { type ShardLayout, type ShardPolicy, SHARD_POLICIES, shardLayout, shardPosition } from "./shard.ts";
export {
  type Permutation,
  MAX_PERMUTATION_SAMPLES,
  permutation,
  identityPermutation,
  passSeed,
} from "./permutation.ts";
export {
  type EpochPlan,
  type OnExhausted,
  ON_EXHAUSTED,
  type PassSpan,
  type Plan,
  type PlanOptions,
  epochRange,
  plan,
  validatesAfter,
} from "./plan.ts";
export { type Position, type Schedule, epochStartStep, locateStep, stepAtBatch, stepOf } from "./position.ts";
