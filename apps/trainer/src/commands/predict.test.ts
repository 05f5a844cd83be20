import { readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import { beforeAll, describe, expect, it } from "vitest";
import { runInProcess } from "../cli-capture.ts";
import { tempDir, writeToyCsv } from "../test-helpers.ts";

const dir = tempDir("predict-");
let run: string;
let data: string;
beforeAll(async () => {
  data = join(dir, "toy.csv");
  await writeToyCsv(data, 90);
  run = join(dir, "run");
  const trained = await runInProcess([
    "train",
    "--data",
    data,
    "--label",
    "kind",
    "--epochs",
    "15",
    "--batch-size",
    "16",
    "--model",
    "mlp:8",
    "--seed",
    "2",
    "--learning-rate",
    "0.05",
    "--backend",
    "cpu",
    "--out",
    run,
  ]);
  expect(trained.code).toBe(0);
});

function parseCsv(text: string): string[][] {
  return text
    .trim()
    .split("\n")
    .map((line) => line.split(","));
}

describe("trainer predict", () => {
  it("unlabelled rows with --id → one row per input in the same order: id, row, class, probabilities summing to 1", async () => {
    const rows = (await readFile(data, "utf8")).trim().split("\n");
    // Drop the label column (the last one) and shuffle nothing: order must be kept as given.
    const unlabelled = join(dir, "unlabelled.csv");
    await writeFile(unlabelled, `${rows.map((line) => line.split(",").slice(0, -1).join(",")).join("\n")}\n`);
    const out = join(dir, "preds.csv");
    const result = await runInProcess([
      "predict",
      "--run",
      run,
      "--data",
      unlabelled,
      "--out",
      out,
      "--id",
      "id",
      "--backend",
      "cpu",
    ]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`Wrote 90 predictions to ${out}\n`);
    const table = parseCsv(await readFile(out, "utf8"));
    expect(table[0]).toEqual(["id", "row", "prediction", "p_high", "p_low", "p_mid"]);
    expect(table.slice(1).map((r) => r[0])).toEqual(rows.slice(1).map((line) => line.split(",")[0]));
    expect(table.slice(1).map((r) => Number(r[1]))).toEqual(Array.from({ length: 90 }, (_, i) => i));
    for (const row of table.slice(1)) {
      const p = row.slice(3).map(Number);
      expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
      const best = ["high", "low", "mid"][p.indexOf(Math.max(...p))];
      expect(row[2]).toBe(best);
    }
  });

  it("the trained model predicts its own training rows mostly right", async () => {
    const out = join(dir, "preds-labelled.csv");
    const result = await runInProcess([
      "predict",
      "--run",
      run,
      "--data",
      data,
      "--out",
      out,
      "--backend",
      "cpu",
    ]);
    expect(result.code).toBe(0);
    const truth = parseCsv(await readFile(data, "utf8"))
      .slice(1)
      .map((r) => r[5]);
    const predicted = parseCsv(await readFile(out, "utf8"))
      .slice(1)
      .map((r) => r[1]);
    const right = predicted.filter((p, i) => p === truth[i]).length;
    expect(right / truth.length).toBeGreaterThan(0.8);
  });

  it("bad rows with --on-bad-record skip → every data row has its line; unscored ones carry the reason in error", async () => {
    const lines = (await readFile(data, "utf8")).trim().split("\n");
    const unlabelled = lines.map((line) => line.split(",").slice(0, -1));
    (unlabelled[4] as string[])[1] = "abc"; // data row 3: a word for x1
    unlabelled[8] = (unlabelled[8] as string[]).slice(0, 3); // data row 7: too few fields
    const file = join(dir, "unlabelled-bad.csv");
    await writeFile(file, `${unlabelled.map((fields) => fields.join(",")).join("\n")}\n`);
    const out = join(dir, "preds-skip.csv");
    const result = await runInProcess([
      "predict",
      "--run",
      run,
      "--data",
      file,
      "--out",
      out,
      "--id",
      "id",
      "--on-bad-record",
      "skip",
      "--backend",
      "cpu",
    ]);
    expect(result.stderr).toMatch(/^Bad records per pass: 2 skipped/);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      `Wrote 88 predictions and 2 unscored rows with their reason in the error column to ${out}\n`,
    );
    // A real CSV reader: the reasons hold quotes and commas.
    const table = parse(await readFile(out, "utf8")) as string[][];
    expect(table[0]).toEqual(["id", "row", "prediction", "p_high", "p_low", "p_mid", "error"]);
    expect(table.slice(1).map((r) => Number(r[1]))).toEqual(Array.from({ length: 90 }, (_, i) => i));
    expect(table.slice(1).map((r) => r[0])).toEqual(lines.slice(1).map((line) => line.split(",")[0]));
    const unscored = table.slice(1).filter((r) => r[6] !== "");
    expect(unscored.map((r) => [r[1], r[2], r[6]?.replace(/^.*unlabelled-bad\.csv:/, "")])).toEqual([
      ["3", "", expect.stringMatching(/^5: column 2 "x1" expected a number, got "abc"/)],
      ["7", "", expect.stringMatching(/^9: /)],
    ]);
  });

  it("an --id column that does not exist → a one-line error and no predictions file", async () => {
    const out = join(dir, "preds-bad.csv");
    const result = await runInProcess([
      "predict",
      "--run",
      run,
      "--data",
      data,
      "--out",
      out,
      "--id",
      "nope",
      "--backend",
      "cpu",
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^error: --id nope: no such column in .*toy\.csv \(columns: id, x1, x2, colour, x3, kind\)\n$/,
    );
    expect(
      await stat(out).then(
        () => true,
        () => false,
      ),
    ).toBe(false);
  });
});
