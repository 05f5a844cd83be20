import { readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { runCli, spawnCli, tempDir, whileRunning, writeToyCsv } from "../test-helpers.ts";

const dir = tempDir("integrity-");
let data: string;
beforeAll(async () => {
  data = join(dir, "toy.csv");
  await writeToyCsv(data, 120);
});

const trainArgs = (out: string) => [
  "train",
  "--data",
  data,
  "--label",
  "kind",
  "--validation-split",
  "0.25",
  "--batch-size",
  "4",
  "--epochs",
  "14",
  "--model",
  "mlp:8",
  "--learning-rate",
  "0.02",
  "--seed",
  "11",
  "--backend",
  "cpu",
  "--loader",
  "main",
  "--out",
  out,
];

const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  );

const statusOf = async (run: string) => JSON.parse(await readFile(join(run, "status.json"), "utf8"));

/**
 * Starts a run and kills it (-9) once it has two checkpoints (checkpoint/ and checkpoint.prev/).
 * A kill that lands inside a checkpoint write (between its renames) leaves one: then again.
 */
async function killedWithTwoCheckpoints(name: string): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    const out = join(dir, `${name}-${attempt}`);
    const cli = spawnCli(trainArgs(out));
    const both = async () =>
      (await exists(join(out, "checkpoint.prev", "checksums.json"))) &&
      (await exists(join(out, "checkpoint", "checksums.json")));
    await whileRunning(cli, both);
    cli.child.kill("SIGKILL");
    await cli.done;
    if ((await both()) || attempt === 5) return out;
  }
}

async function flipByte(path: string, at = 0): Promise<void> {
  const bytes = await readFile(path);
  bytes[at] = (bytes[at] as number) ^ 0x01;
  await writeFile(path, bytes);
}

describe("train --resume checks what it reads", () => {
  it("a flipped bit in checkpoint/model.bin → resumes from checkpoint.prev, saying so, and completes", async () => {
    const out = await killedWithTwoCheckpoints("flipped");
    const prev = JSON.parse(await readFile(join(out, "checkpoint.prev", "state.json"), "utf8"));
    await flipByte(join(out, "checkpoint", "model.bin"), 9);
    const result = await runCli(["train", "--resume", out]);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe(
      `warning: ${join(out, "checkpoint", "model.bin")} does not match its recorded checksum (damaged or edited): resuming from the checkpoint before it (checkpoint.prev, after epoch ${prev.nextEpoch}); the damaged one is kept as checkpoint.damaged\n`,
    );
    expect(result.stdout).toContain(`Resuming ${out} at epoch ${prev.nextEpoch + 1}/14`);
    expect((await statusOf(out)).status).toBe("complete");
  }, 240_000);

  it("both checkpoints damaged (flipped bit, truncated file) → one line naming the file, exit 1, status failed", async () => {
    const out = await killedWithTwoCheckpoints("both");
    await flipByte(join(out, "checkpoint", "optimizer.bin"), 3);
    const optimizer = join(out, "checkpoint.prev", "optimizer.bin");
    await writeFile(optimizer, (await readFile(optimizer)).subarray(0, 5));
    const result = await runCli(["train", "--resume", out]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      new RegExp(
        `^error: cannot resume ${out}: ${join(out, "checkpoint", "optimizer.bin")} does not match its recorded checksum \\(damaged or edited\\), and so is the one before \\(${optimizer} is truncated \\(5 of \\d+ bytes\\)\\); restore the file, or start a new run with --out\\n$`,
      ),
    );
    expect((await statusOf(out)).status).toBe("failed");
  }, 240_000);

  it("an edited schema.json or state.json → refused naming the file; nothing trained", async () => {
    const out = await killedWithTwoCheckpoints("edited");
    const schemaPath = join(out, "schema.json");
    const schema = await readFile(schemaPath, "utf8");
    await writeFile(schemaPath, schema.replace(/"mean": (-?[\d.]+)/, '"mean": 123'));
    const edited = await runCli(["train", "--resume", out]);
    expect(edited.code).toBe(1);
    expect(edited.stderr).toBe(
      `error: cannot resume ${out}: its schema.json changed since the run started; restore it, or start a new run with --out\n`,
    );
    expect((await statusOf(out)).status).toBe("running");
    // Restored, the run resumes; an edited state.json in both checkpoints is refused in turn.
    await writeFile(schemaPath, schema);
    for (const folder of ["checkpoint", "checkpoint.prev"]) {
      const path = join(out, folder, "state.json");
      await writeFile(path, (await readFile(path, "utf8")).replace(/"nextEpoch": \d+/, '"nextEpoch": 13'));
    }
    const state = await runCli(["train", "--resume", out]);
    expect(state.code).toBe(1);
    expect(state.stderr).toContain(
      `error: cannot resume ${out}: ${join(out, "checkpoint", "state.json")} does not match its recorded checksum`,
    );
  }, 240_000);
});

describe("signals", () => {
  it.each([
    ["SIGTERM", 143],
    ["SIGINT", 130],
  ] as const)(
    "%s during training → status interrupted, lock released, exit %i; train --resume then completes",
    async (signal, exitCode) => {
      const out = join(dir, `signal-${signal}`);
      const cli = spawnCli(trainArgs(out));
      await whileRunning(cli, () => exists(join(out, "checkpoint", "checksums.json")));
      cli.child.kill(signal);
      const result = await cli.done;
      expect(result.code).toBe(exitCode);
      expect(result.stderr).toBe(
        `interrupted by ${signal}: ${out} keeps its last checkpoint; continue with train --resume ${out}\n`,
      );
      expect(await statusOf(out)).toMatchObject({ status: "interrupted" });
      expect(await exists(join(out, "run.lock"))).toBe(false);
      const resumed = await runCli(["train", "--resume", out]);
      expect(resumed.stderr).toBe("");
      expect(resumed.code).toBe(0);
      expect((await statusOf(out)).status).toBe("complete");
    },
    240_000,
  );
});
