import { describe, expect, it } from "vitest";
import { runInProcess } from "../cli-capture.ts";
import { runCli } from "../test-helpers.ts";

describe("trainer plan", () => {
  it("30000 samples, batch 32, 5000 validation → table shows 938 steps per epoch and 157 validation steps", async () => {
    const { code, stdout } = await runInProcess([
      "plan",
      "--samples",
      "30000",
      "--batch-size",
      "32",
      "--validation-samples",
      "5000",
      "--epochs",
      "10",
    ]);
    expect(code).toBe(0);
    expect(stdout).toContain("938 steps per pass (last batch 16)");
    expect(stdout).toContain("938 steps per epoch");
    expect(stdout).toContain("5000 samples → 157 steps (last batch 8)");
    expect(stdout).toMatch(/^\s+9\s+938\s+\[8442, 9380\)/m);
  });

  it("--json → one object with the documented keys", async () => {
    const { stdout } = await runInProcess([
      "plan",
      "--samples",
      "100",
      "--batch-size",
      "10",
      "--steps-per-epoch",
      "9",
      "--epochs",
      "4",
      "--on-exhausted",
      "stop",
      "--json",
    ]);
    const plan = JSON.parse(stdout);
    for (const key of [
      "numSamples",
      "batchSize",
      "stepsPerPass",
      "lastBatchSize",
      "samplesDroppedPerPass",
      "stepsPerEpoch",
      "epochs",
      "totalSteps",
      "validationSteps",
      "validationLastBatchSize",
      "shard",
      "warnings",
    ]) {
      expect(plan).toHaveProperty(key);
    }
    expect(plan.epochs.map((e: { endStep: number; startStep: number }) => e.endStep - e.startStep)).toEqual([
      9, 1, 9, 1,
    ]);
    expect(plan.epochs[0]).toMatchObject({ epoch: 0, startStep: 0, endStep: 9, validate: false });
    expect(plan.epochs[0].passes[0]).toMatchObject({ pass: 0, firstBatch: 0, endBatch: 9 });
    expect(plan.validationSteps).toBeNull();
  });

  it("--initial-epoch 2 → global steps start at 2 × stepsPerEpoch", async () => {
    const { stdout } = await runInProcess([
      "plan",
      "--samples",
      "1000",
      "--batch-size",
      "100",
      "--epochs",
      "4",
      "--initial-epoch",
      "2",
      "--json",
    ]);
    const plan = JSON.parse(stdout);
    expect(plan.epochs.map((e: { epoch: number; startStep: number }) => [e.epoch, e.startStep])).toEqual([
      [2, 20],
      [3, 30],
    ]);
  });

  it("sharding → per-rank counts and the shard block", async () => {
    const { stdout } = await runInProcess([
      "plan",
      "--samples",
      "10",
      "--batch-size",
      "2",
      "--num-shards",
      "4",
      "--shard-index",
      "3",
      "--json",
    ]);
    const plan = JSON.parse(stdout);
    expect(plan.shard).toMatchObject({
      numShards: 4,
      shardIndex: 3,
      samplesPerShard: 3,
      paddedSamples: 2,
      droppedSamples: 0,
    });
    expect(plan.stepsPerPass).toBe(2);
  });

  it("--validation-freq 1,3 → validates after 1-based epochs 1 and 3", async () => {
    const { stdout } = await runInProcess([
      "plan",
      "--samples",
      "10",
      "--batch-size",
      "5",
      "--epochs",
      "4",
      "--validation-samples",
      "3",
      "--validation-freq",
      "1,3",
      "--json",
    ]);
    expect(JSON.parse(stdout).epochs.map((e: { validate: boolean }) => e.validate)).toEqual([
      true,
      false,
      true,
      false,
    ]);
  });

  it.each([
    [["plan", "--samples", "100", "--batch-size", "0"], '--batch-size must be a positive integer, got "0"'],
    [["plan", "--samples", "abc", "--batch-size", "4"], '--samples must be a positive integer, got "abc"'],
    [["plan", "--batch-size", "4"], "give exactly one of --samples N or --data FILE"],
    [["plan", "--samples", "10"], "--batch-size is required"],
    [
      ["plan", "--samples", "10", "--batch-size", "2", "--shard-policy", "wrap"],
      "--shard-policy must be one of pad, drop",
    ],
    [
      ["plan", "--samples", "10", "--batch-size", "2", "--epochs", "2", "--initial-epoch", "2"],
      "initialEpoch must be below epochs 2",
    ],
    [
      [
        "plan",
        "--samples",
        "10",
        "--batch-size",
        "2",
        "--validation-samples",
        "4",
        "--validation-steps",
        "3",
      ],
      "validationSteps 3 exceeds the 2 steps",
    ],
    [
      ["plan", "--data", "/nonexistent/x.csv", "--batch-size", "2"],
      "--data /nonexistent/x.csv: no such file or directory",
    ],
  ])("bad flags %j → one line on stderr, exit 1", async (argv, message) => {
    const { code, stdout, stderr } = await runInProcess(argv);
    expect(code).toBe(1);
    expect(stdout).toBe("");
    expect(stderr).toContain(message);
    expect(stderr.trim().split("\n")).toHaveLength(1);
  });

  it("as a process: bad flag → exit 1, one line, no stack trace", async () => {
    const { code, stderr } = await runCli(["plan", "--samples", "10", "--batch-size", "-3"]);
    expect(code).toBe(1);
    expect(stderr.trim()).toBe('error: --batch-size must be a positive integer, got "-3"');
  });
});

describe("trainer plan --validation-split", () => {
  it("53 samples, split 0.3 → the plan of train's split: floor(53 × 0.7) = 37 training and 16 validation samples", async () => {
    const split = await runInProcess([
      "plan",
      "--samples",
      "53",
      "--validation-split",
      "0.3",
      "--batch-size",
      "8",
      "--json",
    ]);
    const explicit = await runInProcess([
      "plan",
      "--samples",
      "37",
      "--validation-samples",
      "16",
      "--batch-size",
      "8",
      "--json",
    ]);
    expect(split.code).toBe(0);
    expect(JSON.parse(split.stdout)).toEqual(JSON.parse(explicit.stdout));
    expect(JSON.parse(split.stdout)).toMatchObject({ numSamples: 37, validationSamples: 16 });
  });

  it.each([[["--validation-samples", "5"]], [["--validation-data", "v.csv"]]])(
    "--validation-split with %j → one-line usage error",
    async (other) => {
      const result = await runInProcess([
        "plan",
        "--samples",
        "50",
        "--batch-size",
        "4",
        "--validation-split",
        "0.2",
        ...other,
      ]);
      expect(result.code).toBe(1);
      expect(result.stderr).toBe(
        "error: give at most one of --validation-split FRACTION, --validation-samples N or --validation-data FILE\n",
      );
    },
  );

  it("a split leaving no training sample → train's own usage error", async () => {
    const result = await runInProcess([
      "plan",
      "--samples",
      "3",
      "--batch-size",
      "4",
      "--validation-split",
      "0.9",
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      "error: --validation-split 0.9 of 3 samples leaves no training data; lower it\n",
    );
  });
});
