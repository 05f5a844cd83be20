import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { plan } from "@stepwise/core";
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { runInProcess } from "../cli-capture.ts";
import { modelUrl } from "../model/file-io.ts";
import { tempDir, writeToyCsv } from "../test-helpers.ts";

const dir = tempDir("train-");
let data: string;
let validation: string;
beforeAll(async () => {
  data = join(dir, "toy.csv");
  validation = join(dir, "toy-val.csv");
  await writeToyCsv(data, 90);
  await writeToyCsv(validation, 30);
});

const base = ["train", "--label", "kind", "--model", "mlp:8", "--seed", "5", "--backend", "cpu"];

describe("trainer train", () => {
  it("a CSV with validation data → schema, plan, one line per epoch, and a complete run folder", async () => {
    const out = join(dir, "run-a");
    const result = await runInProcess([
      ...base,
      "--data",
      data,
      "--validation-data",
      validation,
      "--epochs",
      "3",
      "--batch-size",
      "16",
      "--out",
      out,
    ]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Schema: 4 features from 6 columns/);
    expect(result.stdout).toContain("ignored  id");
    expect(result.stdout).toContain("Training:   90 samples, batch 16 → 6 steps per pass (last batch 10)");
    expect(result.stdout).toContain("Validation: 30 samples → 2 steps (last batch 14)");
    const epochLines = result.stdout.split("\n").filter((line) => line.startsWith("Epoch "));
    expect(epochLines).toHaveLength(3);
    expect(epochLines[2]).toMatch(
      /^Epoch 3\/3 - 6\/6 - [\d.]+s - loss: [\d.]+ - accuracy: [\d.]+ - val_loss: [\d.]+ - val_accuracy: [\d.]+ - val_macro_f1: [\d.]+ - \d+ samples\/s - input wait \d+%$/,
    );
    expect(result.stdout).toMatch(/Final: .*val_accuracy/);
    expect(result.stdout).toMatch(
      /\nModel weights: the (best|last) epoch, [123]\/3.*: val_loss: [\d.]+ - val_accuracy/,
    );
    expect(result.stdout.trim().split("\n").at(-1)).toBe(`Run folder: ${out}`);

    expect((await readdir(out)).sort()).toEqual(
      [
        "checkpoint",
        "checkpoint.prev",
        "checksums.json",
        "config.json",
        "curves.svg",
        "fingerprint.json",
        "history.csv",
        "metrics.json",
        "model",
        "plan.json",
        "profile.json",
        "schema.json",
        "status.json",
      ].sort(),
    );
    const savedPlan = JSON.parse(await readFile(join(out, "plan.json"), "utf8"));
    expect(savedPlan).toEqual(plan({ numSamples: 90, batchSize: 16, epochs: 3, validationSamples: 30 }));
    const history = (await readFile(join(out, "history.csv"), "utf8")).trim().split("\n");
    expect(history[0]).toBe("epoch,steps,samples,loss,accuracy,val_loss,val_accuracy,val_macro_f1,seconds");
    expect(history.slice(1).map((line) => line.split(",").slice(0, 3).join(","))).toEqual([
      "0,6,90",
      "1,6,90",
      "2,6,90",
    ]);
    const schema = JSON.parse(await readFile(join(out, "schema.json"), "utf8"));
    expect(schema.label).toMatchObject({
      name: "kind",
      kind: "string-classes",
      vocabulary: ["high", "low", "mid"],
    });
    expect((schema.label.counts as number[]).reduce((a, b) => a + b, 0)).toBe(90);
    const status = JSON.parse(await readFile(join(out, "status.json"), "utf8"));
    expect(status.status).toBe("complete");
    // Validation data: early stopping and restore-best by default; the kept epoch is the best val_loss.
    const metrics = JSON.parse(await readFile(join(out, "metrics.json"), "utf8"));
    const valLosses = history.slice(1).map((line) => Number(line.split(",")[5]));
    expect(metrics.epoch).toBe(valLosses.indexOf(Math.min(...valLosses)));
    expect(status.keptEpoch).toBe(metrics.epoch);
    expect(metrics).toMatchObject({
      task: "classification",
      classes: ["high", "low", "mid"],
      restoredBest: true,
    });
    expect(metrics.validation.loss).toBe(valLosses[metrics.epoch]);
    expect((metrics.validation.confusion as number[][]).flat().reduce((a, b) => a + b, 0)).toBe(30);
    expect(await readFile(join(out, "curves.svg"), "utf8")).toMatch(/^<svg[\s\S]*val/);
    const config = JSON.parse(await readFile(join(out, "config.json"), "utf8"));
    expect(config).toMatchObject({
      data: "../toy.csv",
      validationData: "../toy-val.csv",
      label: "kind",
      seed: 5,
      epochs: 3,
      earlyStoppingPatience: 10,
      restoreBest: true,
    });

    const model = await tf.loadLayersModel(`${modelUrl(join(out, "model"))}/model.json`);
    expect(model.outputs[0]?.shape).toEqual([null, 3]);
    expect(model.inputs[0]?.shape).toEqual([null, schema.numFeatures]);
  });

  it("the saved config.json used as --config → the same history and weights (runs are reproducible)", async () => {
    const first = join(dir, "run-a");
    const again = join(dir, "run-a-again");
    const result = await runInProcess(["train", "--config", join(first, "config.json"), "--out", again]);
    expect(result.code).toBe(0);
    const losses = async (run: string) =>
      (await readFile(join(run, "history.csv"), "utf8"))
        .split("\n")
        .map((line) => line.split(",").slice(0, -1).join(","));
    expect(await losses(again)).toEqual(await losses(first));
    const weights = async (run: string) => readFile(join(run, "model", "weights.bin"));
    expect((await weights(again)).equals(await weights(first))).toBe(true);
  });

  it("a YAML config with a flag on the command line → the flag wins, paths resolve against the config's folder", async () => {
    await writeFile(
      join(dir, "run.yaml"),
      "data: toy.csv\nlabel: kind\nepochs: 5\nbatch-size: 30\nvalidationSplit: 0.2\nmodel: mlp:4\nseed: 1\nbackend: cpu\n",
    );
    const out = join(dir, "run-yaml");
    const result = await runInProcess([
      "train",
      "--config",
      join(dir, "run.yaml"),
      "--epochs",
      "2",
      "--out",
      out,
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("Training:   72 samples, batch 30 → 3 steps per pass (last batch 12)");
    expect(result.stdout).toContain("Validation: 18 samples");
    expect(result.stdout.split("\n").filter((line) => line.startsWith("Epoch "))).toHaveLength(2);
  });

  it("an --out folder that already holds a run → the new run goes to the next free name", async () => {
    const out = join(dir, "run-a");
    const result = await runInProcess([...base, "--data", data, "--epochs", "1", "--out", out]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`${out} already holds files: this run goes to ${out}-2`);
    expect(JSON.parse(await readFile(join(`${out}-2`, "status.json"), "utf8")).status).toBe("complete");
  });

  it("a numeric label with --task regression → MSE loss and MAE metric; a 0/1 label → a binary model", async () => {
    const numeric = join(dir, "numeric.csv");
    const rows = Array.from(
      { length: 40 },
      (_, i) => `${i % 7},${(i * 3) % 5},${(i % 7) * 0.5 + 1.25},${i % 2}`,
    );
    await writeFile(numeric, `a,b,y,flag\n${rows.join("\n")}\n`);
    const regression = await runInProcess([
      ...base.map((a) => (a === "kind" ? "y" : a)),
      "--data",
      numeric,
      "--task",
      "regression",
      "--ignore",
      "flag",
      "--epochs",
      "2",
      "--out",
      join(dir, "reg"),
    ]);
    expect(regression.code).toBe(0);
    expect(regression.stdout).toMatch(/Epoch 2\/2 - 2\/2 - .* - loss: [\d.]+ - mae: [\d.]+ -/);
    const binary = await runInProcess([
      ...base.map((a) => (a === "kind" ? "flag" : a)),
      "--data",
      numeric,
      "--epochs",
      "1",
      "--out",
      join(dir, "bin"),
    ]);
    expect(binary.code).toBe(0);
    const model = await tf.loadLayersModel(`${modelUrl(join(dir, "bin", "model"))}/model.json`);
    expect(model.outputs[0]?.shape).toEqual([null, 1]);
    expect(binary.stdout).toContain("accuracy");
  });

  it("early stopping with patience 1 and a frozen model → stops after the second epoch and says so", async () => {
    const out = join(dir, "early");
    const result = await runInProcess([
      ...base,
      "--data",
      data,
      "--validation-split",
      "0.2",
      "--epochs",
      "20",
      "--learning-rate",
      "1e-12",
      "--optimizer",
      "sgd",
      "--early-stopping-patience",
      "1",
      "--out",
      out,
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("Early stopping: no improvement for 1 epochs");
    const history = (await readFile(join(out, "history.csv"), "utf8")).trim().split("\n");
    expect(history.length).toBeLessThan(21);
  });
});

describe("trainer train: class weights and metrics per task", () => {
  /** 40 rows, one in four of class 1: an imbalanced binary label, and a numeric target. */
  async function imbalanced(): Promise<string> {
    const path = join(dir, "imbalanced.csv");
    const rows = Array.from(
      { length: 40 },
      (_, i) => `${Math.sin(i)},${Math.cos(i * 0.7)},${i % 4 === 0 ? 1 : 0},${i * 0.1}`,
    );
    await writeFile(path, `a,b,flag,y\n${rows.join("\n")}\n`);
    return path;
  }

  it("--class-weight balanced on a 3:1 binary label → weights n/(2·n_c) printed, the weighted step named, binary metrics in history", async () => {
    const file = await imbalanced();
    const out = join(dir, "weighted");
    const result = await runInProcess([
      ...base.map((a) => (a === "kind" ? "flag" : a)),
      "--data",
      file,
      "--ignore",
      "y",
      "--validation-split",
      "0.25",
      "--split-mode",
      "tail",
      "--class-weight",
      "balanced",
      "--epochs",
      "2",
      "--out",
      out,
    ]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const schema = JSON.parse(await readFile(join(out, "schema.json"), "utf8"));
    const [n0, n1] = schema.label.counts as [number, number];
    expect(n0 + n1).toBe(30);
    const weight = (n: number) => Number((30 / (2 * n)).toPrecision(4));
    expect(result.stdout).toContain(`Class weights (balanced): 0=${weight(n0)}, 1=${weight(n1)}`);
    expect(result.stdout).toMatch(/training step: fused Dense .*class-weighted loss/);
    const history = (await readFile(join(out, "history.csv"), "utf8")).split("\n");
    expect(history[0]).toBe(
      "epoch,steps,samples,loss,accuracy,val_loss,val_accuracy,val_auc,val_precision,val_recall,seconds",
    );
    expect(JSON.parse(await readFile(join(out, "config.json"), "utf8")).classWeight).toBe("balanced");
  });

  it("a regression label → validation MAE, MSE and R²; --class-weight there → one-line refusal, no run folder", async () => {
    const file = await imbalanced();
    const out = join(dir, "reg-metrics");
    const args = [
      ...base.map((a) => (a === "kind" ? "y" : a)),
      "--data",
      file,
      "--ignore",
      "flag",
      "--task",
      "regression",
    ];
    const result = await runInProcess([...args, "--validation-split", "0.25", "--epochs", "2", "--out", out]);
    expect(result.code).toBe(0);
    const history = (await readFile(join(out, "history.csv"), "utf8")).split("\n");
    expect(history[0]).toBe("epoch,steps,samples,loss,mae,val_loss,val_mae,val_mse,val_r2,seconds");
    const refused = await runInProcess([
      ...args,
      "--class-weight",
      "0=2",
      "--out",
      join(dir, "reg-weighted"),
    ]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(
      "error: --class-weight goes with a classification label; this label is a regression target\n",
    );
    expect(await readdir(dir)).not.toContain("reg-weighted");
  });

  it("--class-weight naming a class the label lacks → one-line error listing the classes", async () => {
    const result = await runInProcess([
      ...base,
      "--data",
      data,
      "--class-weight",
      "medium=2",
      "--out",
      join(dir, "cw-bad"),
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      'error: --class-weight names class "medium", which the label does not have; its classes: 0=high, 1=low, 2=mid\n',
    );
  });
});

describe("trainer train: backend and failures", () => {
  it("no --backend → the wasm backend, recorded in the config and the checkpoint, without a warning", async () => {
    const out = join(dir, "wasm");
    const result = await runInProcess([
      "train",
      "--data",
      data,
      "--label",
      "kind",
      "--epochs",
      "1",
      "--seed",
      "1",
      "--out",
      out,
    ]);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe("");
    expect(JSON.parse(await readFile(join(out, "config.json"), "utf8")).backend).toBe("wasm");
    expect(JSON.parse(await readFile(join(out, "checkpoint", "state.json"), "utf8")).backend).toBe("wasm");
  });

  it("a bad row in the validation data → found while planning (rows are counted first): exit 1, one line, no run folder", async () => {
    const badValidation = join(dir, "bad-val.csv");
    await writeFile(badValidation, `${await readFile(validation, "utf8")}r99,1,2,red,oops,high\n`);
    const out = join(dir, "fails");
    const result = await runInProcess([
      ...base,
      "--data",
      data,
      "--validation-data",
      badValidation,
      "--epochs",
      "2",
      "--out",
      out,
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error: .*bad-val\.csv:32: .*"x3".*\n$/);
    expect(await readdir(dir)).not.toContain("fails");
  });
});

describe("trainer train: plan options, architectures and bad records", () => {
  it("--steps-per-epoch, --initial-epoch and --validation-freq → exactly the planned epochs, steps and validations", async () => {
    const out = join(dir, "planned");
    const result = await runInProcess([
      ...base,
      "--data",
      data,
      "--validation-data",
      validation,
      "--batch-size",
      "16",
      "--steps-per-epoch",
      "4",
      "--initial-epoch",
      "1",
      "--epochs",
      "4",
      "--validation-freq",
      "2",
      "--out",
      out,
    ]);
    expect(result.code).toBe(0);
    const rows = (await readFile(join(out, "history.csv"), "utf8"))
      .trim()
      .split("\n")
      .slice(1)
      .map((line) => line.split(","));
    // Epochs 1..3 (0-based); validation after 1-based epochs 2 and 4, i.e. 0-based 1 and 3.
    expect(rows.map((r) => [r[0], r[1], r[5] !== ""])).toEqual([
      ["1", "4", true],
      ["2", "4", false],
      ["3", "4", true],
    ]);
    expect(result.stdout.split("\n").filter((line) => line.startsWith("Epoch "))[0]).toMatch(
      /^Epoch 2\/4 - 4\/4/,
    );
  });

  it("--model-json with a saved architecture → trained from seeded weights, reproducibly", async () => {
    const architecture = join(dir, "run-a", "model", "model.json");
    const runs = [join(dir, "arch-1"), join(dir, "arch-2")];
    for (const out of runs) {
      const result = await runInProcess([
        "train",
        "--data",
        data,
        "--label",
        "kind",
        "--model-json",
        architecture,
        "--epochs",
        "2",
        "--seed",
        "9",
        "--backend",
        "cpu",
        "--out",
        out,
      ]);
      expect(result.code).toBe(0);
    }
    const [a, b] = await Promise.all(runs.map((run) => readFile(join(run, "model", "weights.bin"))));
    expect((a as Buffer).equals(b as Buffer)).toBe(true);
    const both = await runInProcess([
      "train",
      "--data",
      data,
      "--label",
      "kind",
      "--model-json",
      architecture,
      "--model",
      "mlp:3",
    ]);
    expect(both.stderr).toMatch(/^error: give at most one of --model mlp:… or --model-json FILE/);
  });

  it("--on-bad-record quarantine → the bad row goes to the rejects file, the run completes and reports it", async () => {
    const dirty = join(dir, "dirty.csv");
    const rejects = join(dir, "rejects.csv");
    const lines = (await readFile(data, "utf8")).trim().split("\n");
    lines.splice(5, 0, "bad,not-a-number,1,red,0.5,high");
    await writeFile(dirty, `${lines.join("\n")}\n`);
    const result = await runInProcess([
      ...base,
      "--data",
      dirty,
      "--numeric",
      "x1",
      "--epochs",
      "1",
      "--on-bad-record",
      "quarantine",
      "--rejects",
      rejects,
      "--out",
      join(dir, "dirty"),
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Bad records: 1 of 91 rows quarantined to ${rejects} in every pass`);
    expect(await readFile(rejects, "utf8")).toContain("not-a-number");
    const stopped = await runInProcess([
      ...base,
      "--data",
      dirty,
      "--numeric",
      "x1",
      "--epochs",
      "1",
      "--out",
      join(dir, "dirty-stop"),
    ]);
    expect(stopped.code).toBe(1);
    expect(stopped.stderr).toMatch(
      /^error: .*dirty\.csv:6: .*"x1".*; fix the row, or leave bad rows out with --on-bad-record skip/,
    );
  });

  it.each(["train", "evaluate", "predict"])("%s --help → usage with its flags, exit 0", async (command) => {
    const result = await runInProcess([command, "--help"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Usage: trainer ${command} [options]`);
    expect(result.stdout).toContain(command === "train" ? "--resume <RUN>" : "--run <RUN>");
  });
});
