import { rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runInProcess } from "../cli-capture.ts";
import { tempDir, writeToyCsv } from "../test-helpers.ts";

describe("trainer resume RUN", () => {
  it("a folder that is not a run → the same one-line refusal and exit code as train --resume RUN", async () => {
    const dir = tempDir("resume-alias-");
    const alias = await runInProcess(["resume", dir]);
    const train = await runInProcess(["train", "--resume", dir]);
    expect(alias.code).toBe(1);
    expect(alias).toEqual(train);
    expect(alias.stderr.trim().split("\n")).toHaveLength(1);
  });

  it("an interrupted run (running, no checkpoint) → resumed and completed exactly as train --resume does; a complete one refused alike", async () => {
    const dir = tempDir("resume-alias-");
    const data = join(dir, "toy.csv");
    await writeToyCsv(data, 40);
    const out = join(dir, "run");
    const args = [
      "--data",
      data,
      "--label",
      "kind",
      "--model",
      "mlp:4",
      "--batch-size",
      "8",
      "--epochs",
      "2",
    ];
    const first = await runInProcess(["train", ...args, "--seed", "1", "--out", out, "--backend", "cpu"]);
    expect(first.code).toBe(0);

    const refusedAlias = await runInProcess(["resume", out, "--backend", "cpu"]);
    const refusedTrain = await runInProcess(["train", "--resume", out, "--backend", "cpu"]);
    expect(refusedAlias.code).toBe(1);
    expect(refusedAlias).toEqual(refusedTrain);
    expect(refusedAlias.stderr).toContain("already complete");

    // As if killed before its first checkpoint: the run restarts from its first epoch.
    await writeFile(join(out, "status.json"), JSON.stringify({ status: "running" }));
    // Both checkpoints go: a resume falls back to checkpoint.prev when checkpoint/ is missing.
    for (const name of ["checkpoint", "checkpoint.prev"]) {
      await rm(join(out, name), { recursive: true, force: true });
    }
    const resumed = await runInProcess(["resume", out, "--backend", "cpu", "--loader", "main"]);
    expect(resumed.stderr).toBe("");
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toContain(`No checkpoint in ${out} yet`);
    expect(resumed.stdout).toContain(`Run folder: ${out}`);
  });

  it("a flag resume does not take → refused by name", async () => {
    const result = await runInProcess(["resume", "runs/x", "--epochs", "3"]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain("--epochs");
  });
});
