import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runInProcess } from "./cli-capture.ts";
import { REPO_ROOT, runCli, tempDir } from "./test-helpers.ts";

/** Every command line of the README's shell blocks that asks for `--json`. */
async function readmeJsonExamples(): Promise<string[]> {
  const readme = await readFile(join(REPO_ROOT, "README.md"), "utf8");
  const blocks = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1] as string);
  return blocks
    .flatMap((block) => block.replace(/\\\n\s*/g, " ").split("\n"))
    .map((line) => line.replace(/\s+#.*$/, "").trim())
    .filter((line) => /\s--json(\s|$)/.test(line));
}

/** A small CSV with the README's label column `species`. */
async function speciesCsv(path: string, numRows: number): Promise<void> {
  const rows = Array.from({ length: numRows }, (_, i) => {
    const [x1, x2] = [Math.sin(i * 1.3), Math.cos(i * 0.7)];
    return `${x1.toFixed(3)},${x2.toFixed(3)},${x1 + x2 > 0 ? "setosa" : "virginica"}`;
  });
  await writeFile(path, `x1,x2,species\n${rows.join("\n")}\n`);
}

const expectJsonLines = (stdout: string) => {
  const lines = stdout.split("\n").filter((line) => line !== "");
  expect(lines.length).toBeGreaterThan(0);
  for (const line of lines) expect(() => JSON.parse(line), line).not.toThrow();
};

describe("the README's --json examples", () => {
  it("each runs with nothing but JSON lines on standard output (so `| jq` works)", async () => {
    const dir = tempDir("json-");
    const data = join(dir, "train.csv");
    await speciesCsv(data, 60);
    const run = join(dir, "mine");
    const trained = await runInProcess([
      "train",
      "--data",
      data,
      "--label",
      "species",
      "--epochs",
      "1",
      "--backend",
      "cpu",
      "--seed",
      "1",
      "--out",
      run,
    ]);
    expect(trained.code).toBe(0);
    const examples = await readmeJsonExamples();
    expect(examples.length).toBeGreaterThanOrEqual(3);
    for (const example of examples) {
      // pnpm without --silent prints its own banner on standard output, before the command's JSON.
      expect(example, example).toMatch(/^pnpm --silent trainer /);
      const args = example
        .replace(/^pnpm --silent trainer /, "")
        .split(/\s+/)
        .map((arg) => (/^data\/\w+\.csv$/.test(arg) ? data : arg === "runs/mine" ? run : arg));
      const result = await runInProcess(args);
      expect(result.code, `${example}: ${result.stderr}`).toBe(0);
      expectJsonLines(result.stdout);
    }
  });

  it("inspect --json in its own process, seed chosen at random → its notice on stderr, only JSON on stdout", async () => {
    const dir = tempDir("json-");
    const data = join(dir, "train.csv");
    await speciesCsv(data, 30);
    const result = await runCli([
      "inspect",
      "--data",
      data,
      "--label",
      "species",
      "--batch-size",
      "8",
      "--json",
    ]);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/chosen at random/);
    expectJsonLines(result.stdout);
  });
});
