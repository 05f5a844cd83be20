// Scale-out: throughput of W = 1 and 2 local data-parallel ranks (`trainer launch --nproc W`)
// on the bench MLP and a ~1M-parameter MLP, with the all-reduce time per step, and the ring
// all-reduce alone on loopback. Each rank keeps batch B (weak scaling): the efficiency is
// samples/s at W over W × samples/s at 1. Writes bench/results/scale-out.{json,md}.
//   pnpm --filter @stepwise/bench bench:scale [--rows N] [--big-rows N] [--backend wasm|cpu] [--models a;b]
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { freePort, rendezvous } from "@stepwise/trainer/internals";
import { numericCsv } from "./generate.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const CLI = path.join(ROOT, "apps/trainer/src/cli.ts");
const TSX = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;

function flag(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}

const ALL_MODELS = [
  { name: "bench MLP", spec: "mlp:64,32", rows: Number(flag("--rows", "40000")) },
  { name: "~1M MLP", spec: "mlp:1024,1024", rows: Number(flag("--big-rows", "1000")) },
];
// `--models mlp:1024,1024` runs a subset.
const only = flag("--models", "");
const MODELS = ALL_MODELS.filter((m) => only === "" || only.split(";").includes(m.spec));
const BATCH = 32;
const BACKEND = flag("--backend", "wasm");

/** Parameters of `mlp:a,b` on 16 features and 10 classes. */
function parameters(spec: string): number {
  const widths = [16, ...spec.slice(4).split(",").map(Number), 10];
  let total = 0;
  for (let i = 1; i < widths.length; i++)
    total += (widths[i - 1] as number) * (widths[i] as number) + (widths[i] as number);
  return total;
}

function run(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", TSX, CLI, ...args], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (c: Buffer) => {
      out += c.toString();
    });
    child.stderr.on("data", (c: Buffer) => {
      out += c.toString();
    });
    child.on("close", (code) =>
      code === 0 ? resolve(out) : reject(new Error(`exit ${code}: ${out.slice(-2000)}`)),
    );
  });
}

interface Row {
  model: string;
  parameters: number;
  ranks: number;
  samplesPerSecond: number;
  stepsPerEpoch: number;
  allReduceMsPerStep: number | null;
}

async function trainRanks(
  model: (typeof MODELS)[number],
  file: string,
  ranks: number,
  work: string,
): Promise<Row> {
  const out = path.join(work, `${model.spec.replace(/[:,]/g, "_")}-w${ranks}`);
  const text = await run([
    "launch",
    "--nproc",
    String(ranks),
    "train",
    "--data",
    file,
    "--label",
    "label",
    "--task",
    "classification",
    "--model",
    model.spec,
    "--batch-size",
    String(BATCH),
    "--epochs",
    "2",
    "--seed",
    "1",
    "--loader",
    "main",
    "--backend",
    BACKEND,
    "--out",
    out,
  ]);
  // The second epoch: the first carries tfjs's warm-up.
  const lines = readFileSync(path.join(out, "history.csv"), "utf8").trim().split("\n");
  const header = (lines[0] as string).split(",");
  const last = (lines[2] as string).split(",");
  const get = (name: string) => Number(last[header.indexOf(name)]);
  const reduce = /\[rank 0\] All-reduce: ([\d.]+) ms per step/.exec(text);
  return {
    model: model.name,
    parameters: parameters(model.spec),
    ranks,
    samplesPerSecond: get("samples") / get("seconds"),
    stepsPerEpoch: get("steps"),
    allReduceMsPerStep: reduce ? Number(reduce[1]) : null,
  };
}

/** The ring alone: 2 ranks in this process over loopback, `values` floats, median of `reps`. */
async function ringOnly(values: number, reps: number): Promise<number> {
  const masterPort = await freePort();
  const ring = await Promise.all(
    [0, 1].map((rank) =>
      rendezvous({
        rank,
        worldSize: 2,
        masterAddr: "127.0.0.1",
        masterPort,
        planHash: "b",
        connectTimeoutMs: 10_000,
        timeoutMs: 60_000,
      }),
    ),
  );
  const data = new Float32Array(values).fill(1);
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const started = performance.now();
    await Promise.all(ring.map((r) => r.allReduce(data)));
    times.push(performance.now() - started);
  }
  await Promise.all(ring.map((r) => r.close()));
  times.sort((a, b) => a - b);
  return times[Math.floor(reps / 2)] as number;
}

const dataDir = path.join(ROOT, "bench/.data");
mkdirSync(dataDir, { recursive: true });
const work = mkdtempSync(path.join(tmpdir(), "scale-out-"));
const rows: Row[] = [];
const ring: { parameters: number; ms: number }[] = [];
try {
  for (const model of MODELS) {
    const input = await numericCsv(dataDir, { numRows: model.rows, numFeatures: 16, seed: 1 });
    for (const ranks of [1, 2]) {
      const row = await trainRanks(model, input.file, ranks, work);
      rows.push(row);
      console.log(JSON.stringify(row));
    }
    const ms = await ringOnly(parameters(model.spec) + 3, 30);
    ring.push({ parameters: parameters(model.spec), ms });
    console.log(JSON.stringify({ ring: model.name, ms }));
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

const md = [
  `| model | parameters | ranks | samples/s | scaling efficiency | all-reduce ms/step (in training) | ring alone, 2 ranks in one process (ms) |`,
  `| ----- | ---------: | ----: | --------: | -----------------: | -------------------------------: | --------------------------------------: |`,
  ...rows.map((row) => {
    const one = rows.find((r) => r.model === row.model && r.ranks === 1) as Row;
    const efficiency = row.samplesPerSecond / (row.ranks * one.samplesPerSecond);
    const alone = ring.find((r) => r.parameters === row.parameters)?.ms ?? 0;
    return `| ${row.model} | ${row.parameters.toLocaleString("en")} | ${row.ranks} | ${row.samplesPerSecond.toFixed(0)} | ${(efficiency * 100).toFixed(0)}% | ${row.allReduceMsPerStep?.toFixed(2) ?? "–"} | ${row.ranks > 1 ? alone.toFixed(2) : "–"} |`;
  }),
].join("\n");
console.log(md);
const results = path.join(ROOT, "bench/results");
mkdirSync(results, { recursive: true });
writeFileSync(
  path.join(results, "scale-out.json"),
  `${JSON.stringify({ batchSize: BATCH, backend: BACKEND, cores: (await import("node:os")).availableParallelism(), rows, ring }, null, 2)}\n`,
);
writeFileSync(path.join(results, "scale-out.md"), `${md}\n`);
