import { nonNegativeInteger, oneOf, PlanError, positiveInteger } from "./validate.ts";

/** `pad` repeats samples so every rank gets ceil(N/W) (PyTorch DistributedSampler); `drop` cuts to floor(N/W). */
export type ShardPolicy = "pad" | "drop";
export const SHARD_POLICIES: readonly ShardPolicy[] = ["pad", "drop"];

/** What rank `shardIndex` of `numShards` gets from one pass of `numSamples` samples. */
export interface ShardLayout {
  numSamples: number;
  numShards: number;
  shardIndex: number;
  policy: ShardPolicy;
  /** Samples this rank sees per pass; identical on every rank. */
  samplesPerShard: number;
  /** Samples repeated per pass (over all ranks) so that shards are equal; 0 with `drop`. */
  paddedSamples: number;
  /** Samples left out per pass (over all ranks) so that shards are equal; 0 with `pad`. */
  droppedSamples: number;
}

/**
 * Splits a pass across `numShards` ranks so each runs the same number of samples.
 * Throws `PlanError` for shardIndex ≥ numShards, or `drop` with more shards than samples.
 */
export function shardLayout(options: {
  numSamples: number;
  numShards: number;
  shardIndex: number;
  policy?: ShardPolicy;
}): ShardLayout {
  const numSamples = positiveInteger("numSamples", options.numSamples);
  const numShards = positiveInteger("numShards", options.numShards);
  const shardIndex = nonNegativeInteger("shardIndex", options.shardIndex);
  const policy = oneOf("shardPolicy", options.policy ?? "pad", SHARD_POLICIES);
  if (shardIndex >= numShards) {
    throw new PlanError(`shardIndex must be below numShards ${numShards}, got ${shardIndex}`);
  }
  if (policy === "drop") {
    const samplesPerShard = Math.floor(numSamples / numShards);
    if (samplesPerShard === 0) {
      throw new PlanError(
        `numShards ${numShards} exceeds numSamples ${numSamples}: shardPolicy "drop" leaves every rank empty`,
      );
    }
    return {
      numSamples,
      numShards,
      shardIndex,
      policy,
      samplesPerShard,
      paddedSamples: 0,
      droppedSamples: numSamples - samplesPerShard * numShards,
    };
  }
  const samplesPerShard = Math.ceil(numSamples / numShards);
  return {
    numSamples,
    numShards,
    shardIndex,
    policy,
    samplesPerShard,
    paddedSamples: samplesPerShard * numShards - numSamples,
    droppedSamples: 0,
  };
}
