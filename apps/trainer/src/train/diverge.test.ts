import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { runInProcess } from "../cli-capture.ts";
import { tempDir, writeToyCsv } from "../test-helpers.ts";

const dir = tempDir("diverge-");
let data: string;
beforeAll(async () => {
  data = join(dir, "toy.csv");
  await writeToyCsv(data, 60);
});

describe("a diverging run", () => {
  it.each([
    ["the fused step", "auto", /^Batches prepared on .*; training step: fused Dense/m],
    ["trainOnBatch", "tfjs", /^Batches prepared on .*; training step: tfjs trainOnBatch/m],
  ])(
    "--learning-rate 1e30 through %s → stops at the first non-finite loss: one line, exit 1, status failed, no model",
    async (_, trainStep, stepLine) => {
      const out = join(dir, `run-${trainStep}`);
      const result = await runInProcess([
        "train",
        "--data",
        data,
        "--label",
        "kind",
        "--epochs",
        "5",
        "--batch-size",
        "8",
        "--model",
        "mlp:8",
        "--learning-rate",
        "1e30",
        "--train-step",
        trainStep,
        "--seed",
        "1",
        "--backend",
        "cpu",
        "--loader",
        "main",
        "--out",
        out,
      ]);
      expect(result.stdout).toMatch(stepLine);
      expect(result.code).toBe(1);
      const lines = result.stderr.trim().split("\n");
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(
        /^error: training diverged: the loss is (NaN|Infinity) at epoch 1\/5, step \d+\/8 \(global step \d+\); the run stops, no epoch finished, so there is no checkpoint; lower the learning rate/,
      );
      const status = JSON.parse(await readFile(join(out, "status.json"), "utf8"));
      expect(status.status).toBe("failed");
      expect(status.error).toBe(lines[0]?.slice("error: ".length));
      expect(await stat(join(out, "model")).catch(() => null)).toBeNull();
      expect(await stat(join(out, "checkpoint")).catch(() => null)).toBeNull();
    },
    120_000,
  );
});
