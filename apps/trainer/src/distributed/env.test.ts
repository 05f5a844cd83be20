import { describe, expect, it } from "vitest";
import { describeRankEnv, isDataParallel, rankFromEnv } from "./env.ts";

describe("rankFromEnv", () => {
  it("no launcher variables → null (one process)", () => {
    expect(rankFromEnv({ PATH: "/bin" })).toBeNull();
  });

  it("torchrun variables → rank, world size, local rank and the rendezvous", () => {
    expect(
      rankFromEnv({
        RANK: "3",
        WORLD_SIZE: "4",
        LOCAL_RANK: "1",
        MASTER_ADDR: "10.0.0.5",
        MASTER_PORT: "29500",
      }),
    ).toEqual({
      source: "torchrun",
      rank: 3,
      worldSize: 4,
      localRank: 1,
      masterAddr: "10.0.0.5",
      masterPort: 29500,
    });
  });

  it("torchrun and Kubernetes and Slurm variables together → torchrun's win", () => {
    const found = rankFromEnv({
      RANK: "1",
      WORLD_SIZE: "2",
      JOB_COMPLETION_INDEX: "5",
      STEPWISE_WORLD_SIZE: "8",
      SLURM_PROCID: "7",
      SLURM_NTASKS: "9",
    });
    expect(found?.source).toBe("torchrun");
    expect(found?.rank).toBe(1);
  });

  it("a Kubernetes Indexed Job's index with STEPWISE_WORLD_SIZE → that rank, before Slurm's", () => {
    const found = rankFromEnv({
      JOB_COMPLETION_INDEX: "2",
      STEPWISE_WORLD_SIZE: "4",
      SLURM_PROCID: "0",
      SLURM_NTASKS: "1",
    });
    expect(found).toMatchObject({ source: "kubernetes", rank: 2, worldSize: 4, masterAddr: null });
  });

  it("Slurm variables → SLURM_PROCID of SLURM_NTASKS, SLURM_LOCALID as the local rank", () => {
    expect(rankFromEnv({ SLURM_PROCID: "5", SLURM_NTASKS: "6", SLURM_LOCALID: "1" })).toMatchObject({
      source: "slurm",
      rank: 5,
      worldSize: 6,
      localRank: 1,
    });
  });

  it("RANK without WORLD_SIZE → a one-line error naming the missing variable", () => {
    expect(() => rankFromEnv({ RANK: "0" })).toThrow(
      "environment variable WORLD_SIZE is not set, but RANK is",
    );
  });

  it("JOB_COMPLETION_INDEX without STEPWISE_WORLD_SIZE → an error naming it", () => {
    expect(() => rankFromEnv({ JOB_COMPLETION_INDEX: "0" })).toThrow("STEPWISE_WORLD_SIZE is not set");
  });

  it("a rank not below the world size, or a malformed port → errors naming the values", () => {
    expect(() => rankFromEnv({ RANK: "2", WORLD_SIZE: "2" })).toThrow(
      "rank 2, which is not below its world size 2",
    );
    expect(() => rankFromEnv({ RANK: "0", WORLD_SIZE: "2", MASTER_PORT: "http" })).toThrow(
      'environment variable MASTER_PORT must be a positive integer, got "http"',
    );
    expect(() => rankFromEnv({ RANK: "0", WORLD_SIZE: "2", MASTER_PORT: "70000" })).toThrow("1-65535");
  });

  it("data-parallel only with more than one rank and a full rendezvous address", () => {
    expect(
      isDataParallel(rankFromEnv({ RANK: "0", WORLD_SIZE: "2", MASTER_ADDR: "h", MASTER_PORT: "1" })),
    ).toBe(true);
    expect(isDataParallel(rankFromEnv({ RANK: "0", WORLD_SIZE: "2", MASTER_ADDR: "h" }))).toBe(false);
    expect(
      isDataParallel(rankFromEnv({ RANK: "0", WORLD_SIZE: "1", MASTER_ADDR: "h", MASTER_PORT: "1" })),
    ).toBe(false);
  });

  it("describeRankEnv → one line with the rank and the rendezvous", () => {
    const line = describeRankEnv(
      rankFromEnv({ RANK: "1", WORLD_SIZE: "2", MASTER_ADDR: "127.0.0.1", MASTER_PORT: "29500" }),
    );
    expect(line).toBe("Ranks:      rank 1 of 2 (from torchrun); rendezvous at 127.0.0.1:29500");
    expect(describeRankEnv(null)).toContain("one process");
  });
});
