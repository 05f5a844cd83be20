// How a training run becomes one rank of a data-parallel run: the rank contract fills in
// --num-shards/--shard-index (flags given on the command line win), and with more than one rank
// and a rendezvous address the ranks meet and check that they plan the same run.
import { createHash } from "node:crypto";
import type { Plan } from "@stepwise/core";
import { planHash } from "@stepwise/data/internals";
import type { TrainConfig } from "../train/config.ts";
import type { ReduceClock } from "./data-parallel.ts";
import { type RankEnv, rankFromEnv } from "./env.ts";
import { rendezvous } from "./rendezvous.ts";
import type { Collective } from "./ring.ts";

/** This process's part in a data-parallel run. */
export interface Parallel {
  collective: Collective;
  rank: number;
  worldSize: number;
  /** Time spent in the per-step gradient all-reduce. */
  clock: ReduceClock;
}

type Env = Readonly<Record<string, string | undefined>>;

/** Seconds a setting in `env` gives, or `fallback`. */
function seconds(env: Env, name: string, fallback: number): number {
  const value = Number(env[name]);
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

/**
 * Takes this rank's place from the environment unless the flags set it (`given(key)`: whether
 * the key came from the command line or a config file). Returns the contract found, if any.
 */
export function applyRankEnv(
  config: Pick<TrainConfig, "numShards" | "shardIndex">,
  given: (key: "numShards" | "shardIndex") => boolean,
  env: Env = process.env,
): RankEnv | null {
  const found = rankFromEnv(env);
  if (!found) return null;
  if (!given("numShards")) config.numShards = found.worldSize;
  if (!given("shardIndex")) config.shardIndex = found.rank;
  return found;
}

/**
 * What every rank must agree on: the pipeline's plan hash (data size, batch size, shuffle, …)
 * and the settings that shape the model and its updates. 16 hex digits.
 */
export function rankPlanHash(config: TrainConfig, plan: Plan, numFeatures: number): string {
  const data = planHash({
    numSamples: plan.numSamples ?? -1,
    numFeatures,
    batchSize: config.batchSize,
    dropRemainder: config.dropRemainder,
    stepsPerEpoch: config.stepsPerEpoch ?? null,
    onExhausted: config.onExhausted,
    shuffle: config.shuffle ?? "buffer",
    shardPolicy: config.shardPolicy,
  });
  const run = [
    data,
    config.numShards,
    config.seed,
    config.epochs,
    config.initialEpoch,
    config.model,
    config.modelJson ?? null,
    config.optimizer,
    config.learningRate ?? null,
    config.validationSplit ?? null,
    config.validationSteps ?? null,
    config.validationFreq ?? null,
    config.earlyStoppingPatience ?? null,
    config.trainStep ?? "auto",
  ];
  return createHash("sha256").update(JSON.stringify(run)).digest("hex").slice(0, 16);
}

/**
 * Joins the other ranks when the run has more than one and `MASTER_ADDR`/`MASTER_PORT` name the
 * rendezvous; null otherwise (one process, or ranks that train independently). Timeouts:
 * `STEPWISE_RENDEZVOUS_TIMEOUT` (seconds, default 300) for the others to arrive,
 * `STEPWISE_COLLECTIVE_TIMEOUT` (default 300) for a peer's data in a step.
 * Throws `DistError` (one line) on a timeout or a plan mismatch.
 */
export async function joinRanks(
  config: TrainConfig,
  hash: string,
  env: Env = process.env,
): Promise<Parallel | null> {
  const masterAddr = env.MASTER_ADDR?.trim();
  const masterPort = Number(env.MASTER_PORT);
  if (config.numShards <= 1 || !masterAddr || !Number.isInteger(masterPort) || masterPort < 1) return null;
  const collective = await rendezvous({
    rank: config.shardIndex,
    worldSize: config.numShards,
    masterAddr,
    masterPort,
    planHash: hash,
    connectTimeoutMs: seconds(env, "STEPWISE_RENDEZVOUS_TIMEOUT", 300) * 1000,
    timeoutMs: seconds(env, "STEPWISE_COLLECTIVE_TIMEOUT", 300) * 1000,
  });
  return {
    collective,
    rank: config.shardIndex,
    worldSize: config.numShards,
    clock: { ms: 0, calls: 0 },
  };
}
