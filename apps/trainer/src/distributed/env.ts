// The rank contract: which rank this process is, of how many, and where rank 0 runs the
// rendezvous. Launchers set it in the environment; the first family that is present wins.
import { UsageError } from "../errors.ts";

/** Where the rank contract came from. */
export type RankSource = "torchrun" | "kubernetes" | "slurm";

/** This process's place among the ranks of a run, as the launcher set it. */
export interface RankEnv {
  source: RankSource;
  /** Ranks in the run (`WORLD_SIZE`). */
  worldSize: number;
  /** This rank, 0-based (`RANK`). */
  rank: number;
  /** This rank among the ranks of its machine (`LOCAL_RANK`), when the launcher says. */
  localRank: number | null;
  /** Host of rank 0's rendezvous (`MASTER_ADDR`), when set. */
  masterAddr: string | null;
  /** Port of rank 0's rendezvous (`MASTER_PORT`), when set. */
  masterPort: number | null;
}

type Env = Readonly<Record<string, string | undefined>>;

function integerVar(env: Env, name: string, min: number): number | null {
  const raw = env[name];
  if (raw === undefined || raw === "") return null;
  const value = Number(raw);
  if (!/^\s*\d+\s*$/.test(raw) || !Number.isSafeInteger(value) || value < min) {
    const kind = min >= 1 ? "a positive integer" : "a non-negative integer";
    throw new UsageError(`environment variable ${name} must be ${kind}, got ${JSON.stringify(raw)}`);
  }
  return value;
}

function required(env: Env, name: string, min: number, because: string): number {
  const value = integerVar(env, name, min);
  if (value === null) throw new UsageError(`environment variable ${name} is not set, but ${because} is`);
  return value;
}

/**
 * Reads the rank contract from `env`: torchrun's `RANK`/`WORLD_SIZE`/`LOCAL_RANK`/`MASTER_ADDR`/
 * `MASTER_PORT` first, then a Kubernetes Indexed Job's `JOB_COMPLETION_INDEX` with
 * `STEPWISE_WORLD_SIZE`, then Slurm's `SLURM_PROCID`/`SLURM_NTASKS` (`SLURM_LOCALID` as the local
 * rank); `MASTER_ADDR`/`MASTER_PORT` complete any of them. Returns null when none is set.
 * Throws `UsageError` for a malformed or incomplete contract (the variable named).
 * @example rankFromEnv({ RANK: "1", WORLD_SIZE: "2", MASTER_ADDR: "127.0.0.1", MASTER_PORT: "29500" })
 */
export function rankFromEnv(env: Env): RankEnv | null {
  let found: Omit<RankEnv, "masterAddr" | "masterPort"> | null = null;
  if (env.RANK !== undefined || env.WORLD_SIZE !== undefined) {
    found = {
      source: "torchrun",
      rank: required(env, "RANK", 0, "WORLD_SIZE"),
      worldSize: required(env, "WORLD_SIZE", 1, "RANK"),
      localRank: integerVar(env, "LOCAL_RANK", 0),
    };
  } else if (env.JOB_COMPLETION_INDEX !== undefined) {
    found = {
      source: "kubernetes",
      rank: required(env, "JOB_COMPLETION_INDEX", 0, "STEPWISE_WORLD_SIZE"),
      worldSize: required(env, "STEPWISE_WORLD_SIZE", 1, "JOB_COMPLETION_INDEX"),
      localRank: 0,
    };
  } else if (env.SLURM_PROCID !== undefined) {
    found = {
      source: "slurm",
      rank: required(env, "SLURM_PROCID", 0, "SLURM_NTASKS"),
      worldSize: required(env, "SLURM_NTASKS", 1, "SLURM_PROCID"),
      localRank: integerVar(env, "SLURM_LOCALID", 0),
    };
  }
  if (!found) return null;
  if (found.rank >= found.worldSize) {
    throw new UsageError(
      `the ${found.source} environment gives rank ${found.rank}, which is not below its world size ${found.worldSize}`,
    );
  }
  const port = integerVar(env, "MASTER_PORT", 1);
  if (port !== null && port > 65535)
    throw new UsageError(`environment variable MASTER_PORT must be a port (1-65535), got ${port}`);
  const addr = env.MASTER_ADDR?.trim() || null;
  return { ...found, masterAddr: addr, masterPort: port };
}

/** One line saying what the environment gave, for `--print-env` and `plan`. */
export function describeRankEnv(found: RankEnv | null): string {
  if (!found) {
    return "Ranks:      none in the environment (RANK/WORLD_SIZE, JOB_COMPLETION_INDEX/STEPWISE_WORLD_SIZE, SLURM_PROCID/SLURM_NTASKS): one process";
  }
  const local = found.localRank === null ? "" : `, local rank ${found.localRank}`;
  const master =
    found.masterAddr !== null && found.masterPort !== null
      ? `rendezvous at ${found.masterAddr}:${found.masterPort}`
      : "no MASTER_ADDR/MASTER_PORT: ranks train independently";
  return `Ranks:      rank ${found.rank} of ${found.worldSize}${local} (from ${found.source}); ${master}`;
}

/** Whether the contract names a rendezvous, so the ranks train one model together. */
export function isDataParallel(
  found: RankEnv | null,
): found is RankEnv & { masterAddr: string; masterPort: number } {
  return found !== null && found.worldSize > 1 && found.masterAddr !== null && found.masterPort !== null;
}
