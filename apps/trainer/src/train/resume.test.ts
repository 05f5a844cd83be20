import { readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { type CliResult, runCli, spawnCli, tempDir, writeToyCsv } from "../test-helpers.ts";

const dir = tempDir("resume-");
let data: string;
beforeAll(async () => {
  data = join(dir, "toy.csv");
  await writeToyCsv(data, 120);
});

// Enough epochs that the run is still going when the first checkpoint appears.
const trainArgs = (out: string, loader = "main", extra: string[] = []) => [
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
  loader,
  "--manifest",
  `${out}.jsonl`,
  "--out",
  out,
  ...extra,
];

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** Polls until `condition` holds; fails early with the CLI's output when the process ended first. */
async function until(
  condition: () => Promise<boolean>,
  process: { done: Promise<CliResult> },
): Promise<void> {
  let ended: CliResult | null = null;
  process.done.then((result) => {
    ended = result;
  });
  const deadline = Date.now() + 60_000;
  while (!(await condition())) {
    if (ended) throw new Error(`the CLI ended first: ${JSON.stringify(ended)}`);
    if (Date.now() > deadline) throw new Error("timed out waiting for the condition");
    await new Promise((done) => setTimeout(done, 5));
  }
}

/** history.csv without the wall-clock column. */
async function historyWithoutSeconds(run: string): Promise<string> {
  const text = await readFile(join(run, "history.csv"), "utf8");
  return text
    .trim()
    .split("\n")
    .map((line) => line.split(",").slice(0, -1).join(","))
    .join("\n");
}

async function killAfterFirstCheckpoint(out: string, extra: string[] = []): Promise<number> {
  // The interrupted run reads on a worker thread, the uninterrupted one on the main thread:
  // both loaders must give the same batches and resume states.
  const cli = spawnCli(trainArgs(out, "worker", extra));
  const { child, done } = cli;
  await until(async () => exists(join(out, "checkpoint", "state.json")), cli);
  child.kill("SIGKILL");
  await done;
  const state = JSON.parse(await readFile(join(out, "checkpoint", "state.json"), "utf8"));
  return state.nextEpoch as number;
}

describe("train --resume after kill -9", () => {
  it("early stopping with restore-best, killed and resumed → stops at the same epoch and saves the same best epoch's weights and metrics.json", async () => {
    // Learning rate 0.1, patience 2: val_loss is best after epoch 8 and training stops after epoch 10.
    const extra = ["--learning-rate", "0.1", "--early-stopping-patience", "2"];
    const interrupted = join(dir, "es-interrupted");
    const straight = join(dir, "es-straight");
    const reached = await killAfterFirstCheckpoint(interrupted, extra);
    expect(reached).toBeLessThan(10);
    const state = JSON.parse(await readFile(join(interrupted, "checkpoint", "state.json"), "utf8"));
    expect(state.version).toBe(2);
    expect(state.best.epoch).toBe(state.earlyStopping.bestEpoch);
    const resumed = await runCli(["train", "--resume", interrupted]);
    expect(resumed.stderr).toBe("");
    expect(resumed.code).toBe(0);
    const uninterrupted = await runCli(trainArgs(straight, "main", extra));
    expect(uninterrupted.code).toBe(0);
    expect(uninterrupted.stdout).toContain("Early stopping: no improvement for 2 epochs");
    expect(await historyWithoutSeconds(interrupted)).toBe(await historyWithoutSeconds(straight));
    const metrics = JSON.parse(await readFile(join(straight, "metrics.json"), "utf8"));
    const epochs = (await historyWithoutSeconds(straight)).split("\n").length - 1;
    expect(metrics).toMatchObject({ restoredBest: true, stoppedEarly: true, epochsDone: epochs });
    expect(metrics.epoch).toBeLessThan(epochs - 1);
    expect(await readFile(join(interrupted, "metrics.json"), "utf8")).toBe(
      await readFile(join(straight, "metrics.json"), "utf8"),
    );
    const [a, b] = await Promise.all([
      readFile(join(interrupted, "model", "weights.bin")),
      readFile(join(straight, "model", "weights.bin")),
    ]);
    expect(a.equals(b)).toBe(true);
  });

  it("killed after its first checkpoint, then resumed → history losses and final weights equal an uninterrupted run's", async () => {
    const interrupted = join(dir, "interrupted");
    const straight = join(dir, "straight");
    const reached = await killAfterFirstCheckpoint(interrupted);
    // The kill must have landed mid-run, or the comparison below would prove nothing.
    expect(reached).toBeLessThan(14);
    expect(JSON.parse(await readFile(join(interrupted, "status.json"), "utf8")).status).toBe("running");
    expect(await exists(join(interrupted, "model", "model.json"))).toBe(false);

    const resumed = await runCli(["train", "--resume", interrupted]);
    expect(resumed.stderr).toBe("");
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toMatch(/Resuming .* at epoch \d+\/14/);
    const uninterrupted = await runCli(trainArgs(straight));
    expect(uninterrupted.code).toBe(0);

    expect(await historyWithoutSeconds(interrupted)).toBe(await historyWithoutSeconds(straight));
    expect((await historyWithoutSeconds(straight)).split("\n")).toHaveLength(15);
    const [a, b] = await Promise.all([
      readFile(join(interrupted, "model", "weights.bin")),
      readFile(join(straight, "model", "weights.bin")),
    ]);
    expect(a.equals(b)).toBe(true);
    expect(JSON.parse(await readFile(join(interrupted, "status.json"), "utf8")).status).toBe("complete");
    expect(await readFile(join(interrupted, "metrics.json"), "utf8")).toBe(
      await readFile(join(straight, "metrics.json"), "utf8"),
    );

    // The default shuffle of a CSV file is full, whose checkpoints hold a position of a few numbers.
    expect(JSON.parse(await readFile(join(interrupted, "config.json"), "utf8")).shuffle).toBe("full");
    const { pipeline } = JSON.parse(await readFile(join(interrupted, "checkpoint", "state.json"), "utf8"));
    expect(Object.keys(pipeline).sort()).toEqual(
      ["format", "pass", "passOffset", "planHash", "seed", "step", "version"].sort(),
    );
    // 90 training rows in batches of 4: 23 steps per pass, 14 epochs.
    expect(pipeline).toMatchObject({ version: 2, seed: 11, step: 23 * 14, pass: 14, passOffset: 0 });
    // The resumed run appended to the interrupted run's manifest; step for step it equals the straight run's.
    const headers = (await readFile(`${interrupted}.jsonl`, "utf8"))
      .split("\n")
      .filter((l) => l.includes('"header"'));
    expect(headers.map((h) => JSON.parse(h).startStep)).toEqual([0, 23 * reached]);
    const check = await runCli([
      "verify-manifest",
      `${interrupted}.jsonl`,
      "--reference",
      `${straight}.jsonl`,
    ]);
    expect(check.stderr).toBe("");
    expect(check.code).toBe(0);
    expect(check.stdout).toMatch(/^manifest OK: 322 steps, 14 passes, numSamples 90\n/);
    expect(check.stdout).toContain("reference: 322 steps equal");
  }, 120_000);

  it("the data changed after the interruption → a one-line refusal naming the file, exit 1, run untouched", async () => {
    const out = join(dir, "changed-data");
    const copy = join(dir, "copy.csv");
    await writeToyCsv(copy, 120);
    const args = trainArgs(out).map((arg) => (arg === data ? copy : arg));
    const cli = spawnCli(args);
    const { child, done } = cli;
    await until(async () => exists(join(out, "checkpoint", "state.json")), cli);
    child.kill("SIGKILL");
    await done;
    await writeFile(copy, `${await readFile(copy, "utf8")}r999,1,1,red,0.5,high\n`);
    const result = await runCli(["train", "--resume", out]);
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stderr).toMatch(
      /^error: cannot resume .*changed-data: the training data changed since the run started \(.*copy\.csv changed size/,
    );
    expect(JSON.parse(await readFile(join(out, "status.json"), "utf8")).status).toBe("running");
  }, 120_000);

  it("config.json edited → refused; a folder that is not a run → refused with the fix", async () => {
    const out = join(dir, "edited");
    const cli = spawnCli(trainArgs(out));
    const { child, done } = cli;
    await until(async () => exists(join(out, "checkpoint", "state.json")), cli);
    child.kill("SIGKILL");
    await done;
    const config = JSON.parse(await readFile(join(out, "config.json"), "utf8"));
    await writeFile(join(out, "config.json"), JSON.stringify({ ...config, learningRate: 0.5 }));
    const edited = await runCli(["train", "--resume", out]);
    expect(edited.code).toBe(1);
    expect(edited.stderr).toMatch(
      /^error: cannot resume .*edited: its config.json changed since the run started; restore it/,
    );

    const notRun = await runCli(["train", "--resume", dir]);
    expect(notRun.code).toBe(1);
    expect(notRun.stderr).toMatch(
      /^error: --resume .*: not a run folder \(no readable config.json\); give the folder a train run wrote\n$/,
    );
  }, 120_000);
});
