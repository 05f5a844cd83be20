// The rank contract as the CLI shows it: `train --print-env` and `plan`.
import { describe, expect, it } from "vitest";
import { spawnCli } from "../test-helpers.ts";

describe("the rank contract on the command line", () => {
  it("train --print-env under a Kubernetes Indexed Job's variables → one line with the rank, world size and rendezvous", async () => {
    const result = await spawnCli(["train", "--print-env"], undefined, {
      JOB_COMPLETION_INDEX: "1",
      STEPWISE_WORLD_SIZE: "3",
      MASTER_ADDR: "stepwise-train-0.stepwise",
      MASTER_PORT: "29500",
    }).done;
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      "Ranks:      rank 1 of 3, local rank 0 (from kubernetes); rendezvous at stepwise-train-0.stepwise:29500\n",
    );
  });

  it("plan under torchrun's variables → the plan of that rank, and the contract it came from", async () => {
    const result = await spawnCli(["plan", "--samples", "100", "--batch-size", "10"], undefined, {
      RANK: "1",
      WORLD_SIZE: "4",
    }).done;
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("Shard:      rank 1 of 4 (pad): 25 samples per pass");
    expect(result.stdout).toContain("Ranks:      rank 1 of 4 (from torchrun); no MASTER_ADDR/MASTER_PORT");
  });

  it("plan with --shard-index given → the flag wins over RANK", async () => {
    const result = await spawnCli(
      ["plan", "--samples", "100", "--batch-size", "10", "--shard-index", "3"],
      undefined,
      {
        RANK: "1",
        WORLD_SIZE: "4",
      },
    ).done;
    expect(result.stdout).toContain("Shard:      rank 3 of 4");
  });

  it("a malformed WORLD_SIZE → one line naming the variable, a failing exit, no stack", async () => {
    const result = await spawnCli(["plan", "--samples", "100", "--batch-size", "10"], undefined, {
      RANK: "0",
      WORLD_SIZE: "two",
    }).done;
    expect(result.code).not.toBe(0);
    expect(result.stderr).toBe(
      'error: environment variable WORLD_SIZE must be a positive integer, got "two"\n',
    );
  });
});
