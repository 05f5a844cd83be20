import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { runInProcess } from "../cli-capture.ts";
import { tempDir, writeToyCsv } from "../test-helpers.ts";

const dir = tempDir("evaluate-");
let run: string;
let validation: string;
beforeAll(async () => {
  const data = join(dir, "toy.csv");
  validation = join(dir, "toy-val.csv");
  await writeToyCsv(data, 90);
  await writeToyCsv(validation, 30);
  run = join(dir, "run");
  const trained = await runInProcess([
    "train",
    "--data",
    data,
    "--validation-data",
    validation,
    "--label",
    "kind",
    "--epochs",
    "3",
    "--batch-size",
    "16",
    "--model",
    "mlp:8",
    "--seed",
    "2",
    "--backend",
    "cpu",
    "--out",
    run,
  ]);
  expect(trained.code).toBe(0);
});

describe("trainer evaluate", () => {
  it("--json on the validation file → one JSON object whose loss, metrics and confusion matrix match the saved model's validation in metrics.json", async () => {
    const result = await runInProcess([
      "evaluate",
      "--run",
      run,
      "--data",
      validation,
      "--json",
      "--backend",
      "cpu",
    ]);
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split("\n");
    expect(lines).toHaveLength(1);
    const report = JSON.parse(lines[0] as string);
    const metrics = JSON.parse(await readFile(join(run, "metrics.json"), "utf8"));
    const history = (await readFile(join(run, "history.csv"), "utf8")).trim().split("\n");
    const header = (history[0] as string).split(",");
    const kept = (history[1 + metrics.epoch] as string).split(",").map(Number);
    expect(report.samples).toBe(30);
    expect(report.loss).toBeCloseTo(metrics.validation.loss, 5);
    expect(report.loss).toBeCloseTo(kept[header.indexOf("val_loss")] as number, 5);
    expect(report.accuracy).toBeCloseTo(kept[header.indexOf("val_accuracy")] as number, 5);
    expect(report.macro_f1).toBeCloseTo(kept[header.indexOf("val_macro_f1")] as number, 5);
    expect(report.classes).toEqual(["high", "low", "mid"]);
    expect(report.confusion).toEqual(metrics.validation.confusion);
    const counted = (report.confusion as number[][]).flat().reduce((a, b) => a + b, 0);
    expect(counted).toBe(30);
  });

  it("without --json → one readable line with the sample count and Keras-style logs", async () => {
    const result = await runInProcess(["evaluate", "--run", run, "--data", validation, "--backend", "cpu"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /^.*toy-val\.csv: 30 samples - loss: [\d.]+ - accuracy: [\d.]+ - macro_f1: [\d.]+\nConfusion matrix \(rows: true class, columns: predicted\)\n +high +low +mid\n *high( +\d+){3}\n/,
    );
  });

  it("a run that is not complete → a one-line refusal with the fix", async () => {
    const status = join(run, "status.json");
    const saved = await readFile(status, "utf8");
    await writeFile(status, JSON.stringify({ status: "running" }));
    try {
      const result = await runInProcess(["evaluate", "--run", run, "--data", validation, "--backend", "cpu"]);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(
        /^error: --run .*: the run is not complete \(status running\); finish it with train --resume/,
      );
    } finally {
      await writeFile(status, saved);
    }
  });

  it("data without the label column → a one-line data error naming the missing column", async () => {
    const unlabelled = join(dir, "unlabelled.csv");
    await writeFile(unlabelled, "id,x1,x2,colour,x3\nr0,1,2,red,0.5\n");
    const result = await runInProcess(["evaluate", "--run", run, "--data", unlabelled, "--backend", "cpu"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error: .*unlabelled\.csv.*"kind"/);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
  });

  it("a folder that is not a run → a one-line refusal", async () => {
    const result = await runInProcess(["evaluate", "--run", dir, "--data", validation]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error: --run .*: not a run folder/);
  });
});
