import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import { describe, expect, it } from "vitest";
import { runInProcess } from "./cli-capture.ts";
import { REPO_ROOT, tempDir } from "./test-helpers.ts";

/** The bundled datasets, trained with their own example configs as a user would. */
const EXAMPLES = [
  // lowest acceptable validation accuracy: well above the majority class of each dataset
  { name: "iris", minAccuracy: 0.9 },
  { name: "penguins", minAccuracy: 0.9 },
  { name: "weather", minAccuracy: 0.7 },
];

describe.each(EXAMPLES)("examples/$name", ({ name, minAccuracy }) => {
  it("train → evaluate → predict work end to end and the model learns", async () => {
    const out = join(tempDir(`example-${name}-`), "run");
    const config = join(REPO_ROOT, "examples", name, "train.json");
    const data = join(REPO_ROOT, "examples", name, `${name}.csv`);

    const train = await runInProcess(["train", "--config", config, "--out", out, "--backend", "cpu"]);
    expect(train.stderr).toBe("");
    expect(train.code).toBe(0);
    expect(train.stdout).toContain("Schema:");
    expect(train.stdout).toMatch(/steps per epoch/);
    expect(train.stdout).toContain(`Run folder: ${out}`);

    const history = (await readFile(join(out, "history.csv"), "utf8")).trim().split("\n");
    const header = history[0]?.split(",") ?? [];
    const last = history.at(-1)?.split(",") ?? [];
    const valAccuracy = Number(last[header.indexOf("val_accuracy")]);
    expect(valAccuracy).toBeGreaterThanOrEqual(minAccuracy);
    const status = JSON.parse(await readFile(join(out, "status.json"), "utf8"));
    expect(status.status).toBe("complete");

    const evaluate = await runInProcess([
      "evaluate",
      "--run",
      out,
      "--data",
      data,
      "--json",
      "--backend",
      "cpu",
    ]);
    expect(evaluate.code).toBe(0);
    const scores = JSON.parse(evaluate.stdout);
    expect(scores.accuracy).toBeGreaterThanOrEqual(minAccuracy);
    expect(scores.samples).toBeGreaterThan(100);

    const predictions = join(out, "..", "predictions.csv");
    const predict = await runInProcess([
      "predict",
      "--run",
      out,
      "--data",
      data,
      "--out",
      predictions,
      "--backend",
      "cpu",
    ]);
    expect(predict.code).toBe(0);
    // One line per data row; rows the example's config skips keep theirs, with the reason.
    const table = parse(await readFile(predictions, "utf8"), { columns: true }) as Record<string, string>[];
    const dataRows = parse(await readFile(data, "utf8"), { columns: true }) as unknown[];
    expect(Object.keys(table[0] ?? {}).slice(0, 3)).toEqual([
      "row",
      "prediction",
      expect.stringMatching(/^p_/),
    ]);
    expect(table.map((row) => Number(row.row))).toEqual(dataRows.map((_, i) => i));
    const unscored = table.filter((row) => (row.error ?? "") !== "");
    expect(unscored.length).toBe(dataRows.length - scores.samples);
    for (const row of unscored) expect(row.prediction).toBe("");
  }, 60_000);
});
