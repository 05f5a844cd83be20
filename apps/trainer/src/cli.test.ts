import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { type CliResult, spawnCli, tempDir, writeToyCsv } from "./test-helpers.ts";

const dir = tempDir("cli-");
let data: string;
beforeAll(async () => {
  data = join(dir, "toy.csv");
  await writeToyCsv(data, 40);
});

const TSX = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
const CLI = pathToFileURL(fileURLToPath(new URL("./cli.ts", import.meta.url))).href;

/** Runs `runEntry` in a fresh node process with `command` standing in for the CLI's commands. */
function runEntryWith(command: string, argv: string[] = []): Promise<CliResult> {
  const script = `import { runEntry } from ${JSON.stringify(CLI)};\nrunEntry(${JSON.stringify(argv)}, ${command});\n`;
  const child = spawn(process.execPath, ["--import", TSX, "--input-type=module", "-e", script], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("the trainer process", () => {
  it("stdout closed by its reader (inspect --json | head -1) → ends quietly with 141, no EPIPE message", async () => {
    const { child, done } = spawnCli([
      "inspect",
      ...["--data", data, "--label", "kind", "--batch-size", "2", "--epochs", "200", "--seed", "1", "--json"],
    ]);
    // Like `head -1`: read the first chunk, then close the pipe.
    child.stdout?.once("data", () => child.stdout?.destroy());
    const result = await done;
    expect(result.stderr).not.toMatch(/EPIPE|Error|at /);
    expect(result.code).toBe(141);
  });

  it("an error no command caught (an emitter's error event) → one line 'error: …' without a stack, exit 1", async () => {
    const result = await runEntryWith(
      `async () => { const { EventEmitter } = await import("node:events"); setTimeout(() => new EventEmitter().emit("error", new Error("disk on fire"))); return new Promise(() => {}); }`,
    );
    expect(result.stderr).toBe("error: disk on fire (run with --debug for details)\n");
    expect(result.code).toBe(1);
  });

  it("the same with --debug → the stack is printed", async () => {
    const result = await runEntryWith(
      `async () => { setTimeout(() => Promise.reject(new Error("disk on fire"))); return new Promise(() => {}); }`,
      ["--debug"],
    );
    expect(result.stderr).toMatch(/^Error: disk on fire\n\s+at /);
    expect(result.code).toBe(1);
  });

  it("a command that stalls (waits on something that never happens) → one line and exit 1, never a quiet 0", async () => {
    const result = await runEntryWith("() => new Promise(() => {})");
    expect(result.stderr).toBe(
      "error: the command stopped before it finished: an operation it waited for never completed (run with --debug for details)\n",
    );
    expect(result.code).toBe(1);
  });

  it("a command that returns its exit code → that code, nothing printed", async () => {
    const result = await runEntryWith("async () => 3");
    expect(result.stderr).toBe("");
    expect(result.code).toBe(3);
  });
});
