// Data-parallel training end to end: ranks as separate CLI processes over loopback.
import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { type CliResult, runCli, spawnCli, tempDir, writeToyCsv } from "../test-helpers.ts";
import { freePort } from "./launch.ts";

const dir = tempDir("ranks-");
let data: string;
beforeAll(async () => {
  // 140 rows, a quarter held out: 105 training rows, odd, so a pass of 2 ranks has a padding row.
  data = join(dir, "toy.csv");
  await writeToyCsv(data, 140);
});

const trainArgs = (out: string, batchSize: number, epochs = 3, extra: string[] = []) => [
  "train",
  "--data",
  data,
  "--label",
  "kind",
  "--validation-split",
  "0.25",
  "--batch-size",
  String(batchSize),
  "--epochs",
  String(epochs),
  "--model",
  "mlp:8",
  "--learning-rate",
  "0.02",
  "--seed",
  "11",
  "--backend",
  "cpu",
  "--out",
  out,
  ...extra,
];

async function weights(run: string): Promise<Float32Array> {
  const bytes = await readFile(join(run, "model", "weights.bin"));
  return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
}

async function history(run: string): Promise<number[][]> {
  const lines = (await readFile(join(run, "history.csv"), "utf8")).trim().split("\n").slice(1);
  return lines.map((line) => line.split(",").slice(0, -1).map(Number));
}

const worst = (a: ArrayLike<number>, b: ArrayLike<number>) =>
  Math.max(...Array.from(a, (v, i) => Math.abs(v - (b[i] as number))));

/** Starts `worldSize` ranks of `args` as the torchrun environment describes them. */
async function startRanks(
  worldSize: number,
  args: (rank: number) => string[],
  env: Record<string, string> = {},
) {
  const port = String(await freePort());
  return Array.from({ length: worldSize }, (_, rank) =>
    spawnCli(args(rank), undefined, {
      RANK: String(rank),
      WORLD_SIZE: String(worldSize),
      MASTER_ADDR: "127.0.0.1",
      MASTER_PORT: port,
      STEPWISE_RENDEZVOUS_TIMEOUT: "120",
      ...env,
    }),
  );
}

describe("launch --nproc 2 train", () => {
  it.each([
    { step: "fused Dense step", extra: [] as string[] },
    { step: "trainOnBatch step", extra: ["--train-step", "tfjs"] },
  ])(
    "$step: 2 ranks × batch 4 → the losses and weights of 1 process × batch 8, and the same bytes run after run",
    async ({ extra }) => {
      const tag = extra.length > 0 ? "tfjs" : "fused";
      const runs = ["a", "b"].map((name) => join(dir, `${tag}-w2-${name}`));
      for (const run of runs) {
        const launched = await runCli(["launch", "--nproc", "2", ...trainArgs(run, 4, 3, extra)]);
        expect(launched.stderr).toBe("");
        expect(launched.code).toBe(0);
        expect(launched.stdout).toContain("[rank 1] Data-parallel: rank 1 of 2");
      }
      const single = join(dir, `${tag}-w1`);
      expect((await runCli(trainArgs(single, 8, 3, extra))).code).toBe(0);
      // Float32 rounding only: the ranks sum their gradients in another order than one process.
      expect(worst(await weights(runs[0] as string), await weights(single))).toBeLessThan(1e-5);
      const [h2, h1] = [await history(runs[0] as string), await history(single)];
      expect(h2.map((row) => row.slice(0, 3))).toEqual(h1.map((row) => row.slice(0, 3)));
      expect(worst(h2.flat(), h1.flat())).toBeLessThan(1e-5);
      // Rank 0's validation metrics are over both ranks' validation batches: the single process's.
      const metrics = async (run: string) => JSON.parse(await readFile(join(run, "metrics.json"), "utf8"));
      const [m2, m1] = [await metrics(runs[0] as string), await metrics(single)];
      expect(m2.validation.samples).toBe(m1.validation.samples);
      expect(m2.validation.confusion).toEqual(m1.validation.confusion);
      expect(m2.epoch).toBe(m1.epoch);
      // Bit-reproducible: the ring's summation order is fixed.
      expect(
        Buffer.from((await weights(runs[1] as string)).buffer).equals(
          Buffer.from((await weights(runs[0] as string)).buffer),
        ),
      ).toBe(true);
      expect(JSON.parse(await readFile(join(runs[0] as string, "ranks.json"), "utf8"))).toEqual({
        version: 1,
        worldSize: 2,
      });
    },
    600_000,
  );

  it("a rank that fails → launch stops the others and exits with its code", async () => {
    const result = await runCli([
      "launch",
      "--nproc",
      "2",
      ...trainArgs(join(dir, "missing"), 4).map((a) => (a === data ? join(dir, "nope.csv") : a)),
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^\[rank [01]\] error: .*nope\.csv/m);
    expect(result.stderr).toMatch(/launch: rank [01] exited with code 1; stopping the other ranks/);
  }, 120_000);
});

describe("ranks that disagree or die", () => {
  it("ranks started with different batch sizes → every rank exits 1 with the one-line plan mismatch", async () => {
    const ranks = await startRanks(2, (rank) => trainArgs(join(dir, `mismatch-${rank}`), rank === 0 ? 4 : 5));
    const results = await Promise.all(ranks.map((r) => r.done));
    for (const result of results) {
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(
        /^error: plan mismatch between ranks: rank 1 has plan hash [0-9a-f]{16}, rank 0 has [0-9a-f]{16}; start every rank with the same data and settings\n$/,
      );
    }
  }, 120_000);

  it("kill -9 of rank 1 mid-run → rank 0 stops with a one-line error naming it; --resume on one process completes the run", async () => {
    const out = join(dir, "killed");
    // A collective timeout far beyond the test's: only the lost connection can stop rank 0 in time.
    const ranks = await startRanks(2, () => trainArgs(out, 4, 40, ["--no-early-stopping"]), {
      STEPWISE_COLLECTIVE_TIMEOUT: "3600",
    });
    const [rank0, rank1] = ranks as [ReturnType<typeof spawnCli>, ReturnType<typeof spawnCli>];
    const deadline = Date.now() + 120_000;
    let ended: CliResult | null = null;
    rank0.done.then((r) => {
      ended = r;
    });
    const checkpoint = join(out, "checkpoint", "state.json");
    while (
      !(await stat(checkpoint).then(
        () => true,
        () => false,
      ))
    ) {
      if (ended || Date.now() > deadline) throw new Error(`no checkpoint: ${JSON.stringify(ended)}`);
      await new Promise((done) => setTimeout(done, 20));
    }
    rank1.child.kill("SIGKILL");
    await rank1.done;
    const result = await rank0.done;
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error: rank 1 \(127\.0\.0\.1[^)]*\) closed the connection\n$/);
    const status = JSON.parse(await readFile(join(out, "status.json"), "utf8"));
    expect(status.status).toBe("failed");

    const resumed = await runCli(["train", "--resume", out]);
    expect(resumed.stderr).toBe("");
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toMatch(/Resuming .* at epoch \d+\/40/);
    expect(JSON.parse(await readFile(join(out, "status.json"), "utf8")).status).toBe("complete");
    expect(await history(out)).toHaveLength(40);
    expect(JSON.parse(await readFile(join(out, "ranks.json"), "utf8"))).toEqual({ version: 1, worldSize: 1 });
  }, 300_000);
});
