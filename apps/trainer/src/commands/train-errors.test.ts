import { rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runInProcess } from "../cli-capture.ts";
import { tempDir, writeToyCsv } from "../test-helpers.ts";

let dir: string;
let data: string;
beforeAll(async () => {
  dir = await tempDir("train-errors-");
  data = join(dir, "toy.csv");
  await writeToyCsv(data, 90);
  // A complete run, for the --resume cases.
  const done = await runInProcess([...base, "--data", data, "--epochs", "1", "--out", join(dir, "run-a")]);
  expect(done.code).toBe(0);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  );
const base = ["train", "--label", "kind", "--model", "mlp:8", "--seed", "5", "--backend", "cpu"];

describe("trainer train: bad input", () => {
  const cases: [string, () => string[], RegExp][] = [
    [
      "a missing data file",
      () => [...base, "--data", join(dir, "nope.csv")],
      /^error: .*nope\.csv: no such file or directory; check the path given to --data/,
    ],
    [
      "an unknown label column",
      () => [...base.map((a) => (a === "kind" ? "colr" : a)), "--data", data],
      /^error: .*toy\.csv:1: label column "colr" is not in the header \(columns: id, x1, x2, colour, x3, kind\); check --label/,
    ],
    [
      "a label with one class only",
      () => [...base.map((a) => (a === "kind" ? "klass" : a)), "--data", join(dir, "one-class.csv")],
      /^error: label "klass" in .*one-class\.csv has one class only \("a"\); a classifier needs at least two/,
    ],
    [
      "an empty dataset (header only)",
      () => [...base, "--data", join(dir, "empty.csv")],
      /^error: .*empty\.csv: no data rows \(header only\); give a file with data rows/,
    ],
    [
      "a validation split that leaves no training data",
      () => [
        ...base.map((a) => (a === "kind" ? "klass" : a)),
        "--data",
        join(dir, "two-rows.csv"),
        "--validation-split",
        "0.6",
      ],
      /^error: --validation-split 0\.6 of 2 samples leaves no training data; lower it\n$/,
    ],
    [
      "both validation flags",
      () => [...base, "--data", data, "--validation-split", "0.2", "--validation-data", data],
      /^error: give at most one of --validation-data FILE or --validation-split FRACTION\n$/,
    ],
    [
      "a bad model spec",
      () => [...base, "--data", data, "--model", "cnn:3"],
      /^error: --model must look like mlp:64,32/,
    ],
    ["no --data", () => ["train", "--label", "kind"], /^error: --data is required/],
    [
      "--resume with other flags",
      () => ["train", "--resume", join(dir, "run-a"), "--epochs", "3"],
      /^error: --resume continues a run with its saved config; drop --epochs/,
    ],
    [
      "--resume of a complete run",
      () => ["train", "--resume", join(dir, "run-a")],
      /^error: --resume .*run-a: the run is already complete; start a new run with --out/,
    ],
  ];

  beforeAll(async () => {
    await writeFile(join(dir, "one-class.csv"), "x,klass\n1,a\n2,a\n3,a\n");
    await writeFile(join(dir, "empty.csv"), "x,kind\n");
    await writeFile(join(dir, "two-rows.csv"), "x,klass\n1,a\n2,b\n");
  });

  it.each(cases)("%s → one line on stderr with the fix, exit 1, no run folder", async (_, args, message) => {
    const out = join(dir, "should-not-exist");
    const given = args();
    const result = await runInProcess(given.includes("--resume") ? given : [...given, "--out", out]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(message);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(await exists(out)).toBe(false);
  });

  it("--debug → the stack trace is printed", async () => {
    const result = await runInProcess([...base, "--data", join(dir, "nope.csv"), "--debug"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/DataError: .*nope\.csv: no such file[\s\S]*\n\s+at /);
  });

  it("a batch larger than the dataset → allowed: one partial batch per pass and a plan warning", async () => {
    const result = await runInProcess([
      ...base,
      "--data",
      data,
      "--batch-size",
      "500",
      "--epochs",
      "1",
      "--out",
      join(dir, "big-batch"),
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("Training:   90 samples, batch 500 → 1 steps per pass (last batch 90)");
    expect(result.stdout).toMatch(/Warnings:\n {2}- .*500/);
  });
});
