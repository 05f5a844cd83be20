import { readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { beforeAll, describe, expect, it } from "vitest";
import { runInProcess } from "../cli-capture.ts";
import { tempDir, writeToyCsv } from "../test-helpers.ts";

const dir = tempDir("train-errors-");
let data: string;
beforeAll(async () => {
  data = join(dir, "toy.csv");
  await writeToyCsv(data, 90);
  // A complete run, for the --resume cases.
  const done = await runInProcess([...base, "--data", data, "--epochs", "1", "--out", join(dir, "run-a")]);
  expect(done.code).toBe(0);
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
      "--resume with another shard count",
      () => ["train", "--resume", join(dir, "run-a"), "--num-shards", "2"],
      /^error: --resume keeps the run's --num-shards and --shard-index: .*; drop --num-shards, or start a new run with --out\n$/,
    ],
    [
      "--shuffle full on gzip data",
      () => [...base, "--data", join(dir, "toy.csv.gz"), "--shuffle", "full"],
      /^error: --shuffle full: .*toy\.csv\.gz is gzip-compressed and cannot be indexed for random access; use --shuffle buffer/,
    ],
    [
      "a memory budget that is not a byte count",
      () => [...base, "--data", data, "--memory-budget", "256 apples"],
      /^error: --memory-budget must be a positive byte count such as 268435456, "256MB" or "1GiB", got "256 apples"\n$/,
    ],
    [
      "--max-bad-rows without skip or quarantine",
      () => [...base, "--data", data, "--max-bad-rows", "0.1%"],
      /^error: --max-bad-rows goes with --on-bad-record skip or quarantine/,
    ],
    [
      "more bad rows than --max-bad-rows",
      () => [
        ...base,
        "--data",
        join(dir, "dirty.csv"),
        "--numeric",
        "x1",
        "--on-bad-record",
        "skip",
        "--max-bad-rows",
        "1",
      ],
      /^error: too many bad rows: 2 of 92 rows skipped, more than --max-bad-rows 1; first: .*dirty\.csv:4: column 2 "x1" expected a number, got "bad"; .*dirty\.csv:9: .*; fix those rows, or raise --max-bad-rows\n$/,
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
    const lines = (await readFile(data, "utf8")).trim().split("\n");
    await writeFile(join(dir, "toy.csv.gz"), gzipSync(`${lines.join("\n")}\n`));
    lines.splice(3, 0, "b1,bad,1,red,0.5,high");
    lines.splice(8, 0, "b2,bad,1,red,0.5,high");
    await writeFile(join(dir, "dirty.csv"), `${lines.join("\n")}\n`);
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
