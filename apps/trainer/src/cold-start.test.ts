import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { REPO_ROOT, tempDir } from "./test-helpers.ts";

const BIN = fileURLToPath(new URL("./bin.ts", import.meta.url));
const FORBID_TFJS = new URL("./forbid-tfjs.test-helpers.mjs", import.meta.url).href;
const TSX = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;

/** Runs the CLI with every @tensorflow/ import made to fail. */
function runWithoutTfjs(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(
    process.execPath,
    ["--conditions=@stepwise/source", "--import", FORBID_TFJS, "--import", TSX, BIN, ...args],
    { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, FORCE_COLOR: "0" } },
  );
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("commands that do not train → no tfjs loaded", () => {
  it("--help → the usage, no tfjs", async () => {
    const { code, stdout, stderr } = await runWithoutTfjs(["--help"]);
    expect(stderr).not.toContain("tfjs loaded");
    expect(code).toBe(0);
    expect(stdout).toContain("Usage:");
  });

  it("plan --data → the plan table, no tfjs", async () => {
    const { code, stdout, stderr } = await runWithoutTfjs([
      "plan",
      "--data",
      "examples/iris/iris.csv",
      "--batch-size",
      "16",
    ]);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout).toContain("global steps");
  });

  it("inspect → the first batches, no tfjs", async () => {
    const { code, stderr } = await runWithoutTfjs([
      "inspect",
      "--data",
      "examples/iris/iris.csv",
      "--label",
      "species",
      "--batch-size",
      "16",
    ]);
    expect(stderr).not.toContain("tfjs loaded");
    expect(code).toBe(0);
  });

  it("verify-manifest of a missing file → its one-line error, no tfjs", async () => {
    const { code, stderr } = await runWithoutTfjs(["verify-manifest", "no-such-manifest.jsonl"]);
    expect(stderr).not.toContain("tfjs loaded");
    expect(stderr).toContain("no-such-manifest.jsonl");
    expect(code).not.toBe(0);
  });

  it("train → tfjs is loaded (the guard works)", async () => {
    const { code, stderr } = await runWithoutTfjs([
      "train",
      "--config",
      "examples/iris/train.json",
      "--out",
      join(tempDir("stepwise-cold-"), "run"),
    ]);
    expect(stderr).toContain("tfjs loaded");
    expect(code).not.toBe(0);
  });
});
