import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runInProcess } from "../cli-capture.ts";
import { tempDir, writeToyCsv } from "../test-helpers.ts";
import { splitMembers } from "../train/split.ts";

interface Line {
  epoch: number;
  step: number;
  rows: number[];
  files?: string[];
}

async function inspectJson(args: string[]): Promise<{ batches: Line[]; summary: Record<string, unknown> }> {
  const { code, stdout, stderr } = await runInProcess(["inspect", ...args, "--json"]);
  expect(stderr).toBe("");
  expect(code).toBe(0);
  const lines = stdout
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line));
  const last = lines.pop();
  return { batches: lines as Line[], summary: last.summary };
}

describe("trainer inspect", () => {
  it("one epoch without S → every data row exactly once, in batches of B and one partial", async () => {
    const dir = tempDir("inspect-");
    const file = join(dir, "toy.csv");
    await writeToyCsv(file, 53);
    const { batches, summary } = await inspectJson([
      "--data",
      file,
      "--label",
      "kind",
      "--batch-size",
      "10",
      "--seed",
      "3",
    ]);
    expect(batches.map((b) => b.rows.length)).toEqual([10, 10, 10, 10, 10, 3]);
    expect(batches.map((b) => b.step)).toEqual([0, 1, 2, 3, 4, 5]);
    const rows = batches.flatMap((b) => b.rows);
    expect([...rows].sort((a, b) => a - b)).toEqual(Array.from({ length: 53 }, (_, i) => i));
    expect(rows).not.toEqual(Array.from({ length: 53 }, (_, i) => i)); // shuffled
    expect(summary).toMatchObject({ seed: 3, numSamples: 53, steps: 6, samples: 53, rowsSkipped: 0 });
  });

  it("S=4 over 6-step passes, 3 epochs → exactly 4 steps each, the same for the same seed", async () => {
    const dir = tempDir("inspect-");
    const file = join(dir, "toy.csv");
    await writeToyCsv(file, 53);
    const args = ["--data", file, "--label", "kind", "--batch-size", "10", "--seed", "9"];
    const run = await inspectJson([...args, "--steps-per-epoch", "4", "--epochs", "3"]);
    const perEpoch = [0, 1, 2].map((e) => run.batches.filter((b) => b.epoch === e).length);
    expect(perEpoch).toEqual([4, 4, 4]);
    expect(run.batches.map((b) => b.step)).toEqual(Array.from({ length: 12 }, (_, i) => i));
    const again = await inspectJson([...args, "--steps-per-epoch", "4", "--epochs", "3"]);
    expect(again.batches).toEqual(run.batches);
    const other = await inspectJson([...args.slice(0, -1), "10", "--steps-per-epoch", "4", "--epochs", "3"]);
    expect(other.batches).not.toEqual(run.batches);
  });

  it("--initial-epoch 2 → exactly the batches the full run gives from step 2·S", async () => {
    const dir = tempDir("inspect-");
    const file = join(dir, "toy.csv");
    await writeToyCsv(file, 40);
    const args = [
      "--data",
      file,
      "--label",
      "kind",
      "--batch-size",
      "8",
      "--seed",
      "5",
      "--steps-per-epoch",
      "3",
    ];
    const full = await inspectJson([...args, "--epochs", "4"]);
    const tail = await inspectJson([...args, "--epochs", "4", "--initial-epoch", "2"]);
    expect(tail.batches).toEqual(full.batches.filter((b) => b.epoch >= 2));
  });

  it("a directory of part files → rows numbered across files, each with its file", async () => {
    const dir = tempDir("inspect-parts-");
    await mkdir(join(dir, "parts"));
    await writeFile(join(dir, "parts", "part-00000.csv"), "a,b,y\n1,2,0\n3,4,1\n");
    await writeFile(join(dir, "parts", "part-00001.csv"), "a,b,y\n5,6,0\n");
    const { batches } = await inspectJson([
      "--data",
      join(dir, "parts"),
      "--label",
      "y",
      "--batch-size",
      "3",
      "--seed",
      "1",
      "--shuffle-buffer",
      "1",
    ]);
    expect(batches).toHaveLength(1);
    expect(batches[0]?.rows).toEqual([0, 1, 2]);
    expect(batches[0]?.files?.map((f) => f.split(/[\\/]/).pop())).toEqual([
      "part-00000.csv",
      "part-00000.csv",
      "part-00001.csv",
    ]);
  });

  it("--on-bad-record skip → bad rows left out and counted in the summary", async () => {
    const dir = tempDir("inspect-bad-");
    const file = join(dir, "bad.csv");
    await writeFile(file, "a,b,y\n1,2,0\n3,x,1\n5,6,0\n7,8\n9,10,1\n");
    const { batches, summary } = await inspectJson([
      "--data",
      file,
      "--label",
      "y",
      "--numeric",
      "a,b",
      "--batch-size",
      "5",
      "--seed",
      "1",
      "--on-bad-record",
      "skip",
    ]);
    expect(batches.flatMap((b) => b.rows).sort()).toEqual([0, 2, 4]);
    expect(summary).toMatchObject({ rowsRead: 5, rowsUsed: 3, rowsSkipped: 2 });
  });

  it("a bad row under the default policy → one line naming file, line and column", async () => {
    const dir = tempDir("inspect-bad-");
    const file = join(dir, "bad.csv");
    await writeFile(file, "a,b,y\n1,2,0\n3,x,1\n");
    const { code, stdout, stderr } = await runInProcess([
      "inspect",
      "--data",
      file,
      "--label",
      "y",
      "--numeric",
      "a,b",
      "--batch-size",
      "2",
      "--json",
    ]);
    expect(code).toBe(1);
    expect(stdout).toBe("");
    expect(stderr.trim().split("\n")).toHaveLength(1);
    expect(stderr).toMatch(/bad\.csv:3: column 2 "b" expected a number, got "x"/);
  });

  it("without --json → the plan, readable batches and the summary", async () => {
    const dir = tempDir("inspect-");
    const file = join(dir, "toy.csv");
    await writeToyCsv(file, 12);
    const { code, stdout } = await runInProcess([
      "inspect",
      "--data",
      file,
      "--label",
      "kind",
      "--batch-size",
      "5",
      "--seed",
      "2",
    ]);
    expect(code).toBe(0);
    expect(stdout).toContain("3 steps per pass (last batch 2)");
    expect(stdout).toMatch(/epoch 0 step 2 \(pass 0, batch 2\): 2 rows \[\d+, \d+\]/);
    expect(stdout).toContain("rowsUsed: 12");
  });
});

describe("trainer inspect agrees with train", () => {
  it("no --batch-size → train's default of 32", async () => {
    const dir = tempDir("inspect-");
    const file = join(dir, "toy.csv");
    await writeToyCsv(file, 53);
    const { batches } = await inspectJson(["--data", file, "--label", "kind", "--seed", "3"]);
    expect(batches.map((b) => b.rows.length)).toEqual([32, 21]);
  });

  it.each([["random"], ["tail"]])(
    "--validation-split 0.25 (%s) → exactly the training rows of train's split, and plan previews the same sizes",
    async (mode) => {
      const dir = tempDir("inspect-");
      const file = join(dir, "toy.csv");
      await writeToyCsv(file, 41);
      const args = [
        "--data",
        file,
        "--label",
        "kind",
        "--seed",
        "9",
        "--validation-split",
        "0.25",
        "--split-mode",
        mode,
      ];
      const { batches, summary } = await inspectJson([...args, "--batch-size", "8"]);
      // train's split code: the same membership rule over the 41 usable samples.
      const members = splitMembers({
        numSamples: 41,
        fraction: 0.25,
        seed: 9,
        mode: mode as "random" | "tail",
      });
      const rows = batches.flatMap((b) => b.rows).sort((a, b) => a - b);
      expect(rows).toEqual([...members.train]);
      expect(summary).toMatchObject({
        numSamples: members.train.length,
        validationSamples: members.validation.length,
      });
      const plan = await runInProcess([
        "plan",
        "--data",
        file,
        "--validation-split",
        "0.25",
        "--batch-size",
        "8",
        "--json",
      ]);
      expect(JSON.parse(plan.stdout)).toMatchObject({
        numSamples: members.train.length,
        validationSamples: members.validation.length,
      });
    },
  );
});
