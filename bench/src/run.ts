// `pnpm bench [--quick] [--runs N] [--rows N] [--batch-size B] [--backend wasm|cpu] [--only a,b]`
// Generates its input, runs every contender several times (round robin, one fresh process per
// run), prints a table and writes bench/results/latest.json.
import { fork } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import type { ChildJob, ChildResult } from "./child.ts";
import type { BenchInput } from "./contenders.ts";
import { numericCsv } from "./generate.ts";
import { CONTENDERS } from "./registry.ts";
import { type ContenderSummary, printTable, summarize } from "./report.ts";

const here = path.dirname(fileURLToPath(import.meta.url));
const benchDir = path.resolve(here, "..");

const { values: args } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    runs: { type: "string" },
    rows: { type: "string" },
    "batch-size": { type: "string", default: "32" },
    backend: { type: "string", default: "wasm" },
    only: { type: "string" },
    seed: { type: "string", default: "1" },
  },
});

function positiveInt(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} expected a positive integer, got "${value}"`);
  return n;
}

function runChild(job: ChildJob): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = fork(path.join(here, "child.ts"), [JSON.stringify(job)], {
      // tsx's loader flags, plus gc() so that a run starts without the setup's garbage.
      execArgv: [...process.execArgv, "--expose-gc"],
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    let result: ChildResult | null = null;
    child.on("message", (message) => {
      result = message as ChildResult;
    });
    child.on("error", reject);
    child.on("exit", (code) => {
      if (code === 0 && result !== null) resolve(result);
      else reject(new Error(`${job.contenderId} exited with code ${code}`));
    });
  });
}

async function main(): Promise<void> {
  const quick = args.quick ?? false;
  const numRows = args.rows ? positiveInt("rows", args.rows) : quick ? 100_000 : 1_000_000;
  const runs = args.runs ? positiveInt("runs", args.runs) : quick ? 3 : 5;
  const batchSize = positiveInt("batch-size", args["batch-size"] ?? "32");
  const backend = args.backend === "cpu" ? "cpu" : "wasm";
  const only = args.only?.split(",");
  const contenders = CONTENDERS.filter((c) => only === undefined || only.includes(c.id));

  const cores = os.availableParallelism();
  console.log(
    `stepwise bench — ${cores} cores (${os.cpus()[0]?.model ?? "unknown cpu"}), node ${process.version}`,
  );
  console.log(`generating numeric CSV: ${numRows.toLocaleString("en")} rows × 16 features + label …`);
  const numeric = await numericCsv(path.join(benchDir, ".data"), {
    numRows,
    numFeatures: 16,
    seed: positiveInt("seed", args.seed ?? "1"),
  });
  const input: BenchInput = { ...numeric, batchSize, backend };
  console.log(
    `  ${numeric.file} (${(numeric.numBytes / 1e6).toFixed(1)} MB); batch size ${batchSize}, tfjs backend ${backend}, ${runs} runs each`,
  );

  const samples = new Map<string, ChildResult[]>(contenders.map((c) => [c.id, []]));
  // A contender that fails is reported as failed; the others still run.
  const failures = new Map<string, string>();
  // Round robin, so that a slow spell on a shared machine hits every contender alike.
  for (let run = 0; run < runs; run++) {
    for (const contender of contenders) {
      if (contender.run === null || failures.has(contender.id)) continue;
      try {
        const result = await runChild({ contenderId: contender.id, input });
        if (result.numRows !== numeric.numRows) {
          throw new Error(`delivered ${result.numRows} rows, expected ${numeric.numRows}`);
        }
        samples.get(contender.id)?.push(result);
        console.log(`  run ${run + 1}/${runs} ${contender.id}: ${result.seconds.toFixed(2)} s`);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        failures.set(contender.id, `failed: ${message}`);
        console.log(`  run ${run + 1}/${runs} ${contender.id}: FAILED (${message})`);
      }
    }
  }

  const summaries: ContenderSummary[] = contenders.map((c) =>
    summarize(c, failures.has(c.id) ? [] : (samples.get(c.id) ?? []), numeric, failures.get(c.id)),
  );
  printTable(summaries, cores);

  const byId = Object.fromEntries(summaries.map((s) => [s.id, s]));
  const ratio = (a: string, b: string): number | null => {
    const x = byId[a]?.rowsPerSecond;
    const y = byId[b]?.rowsPerSecond;
    return x == null || y == null ? null : x / y;
  };
  const results = {
    date: new Date().toISOString(),
    command: `pnpm bench ${process.argv.slice(2).join(" ")}`.trim(),
    cores,
    cpu: os.cpus()[0]?.model ?? null,
    node: process.version,
    quick,
    runsPerContender: runs,
    batchSize,
    backend,
    numeric: {
      file: path.relative(benchDir, numeric.file),
      numRows: numeric.numRows,
      numFeatures: numeric.numFeatures,
      numBytes: numeric.numBytes,
      contenders: byId,
    },
    ratios: {
      numericVsTfDataCsv: ratio("stepwiseBatches", "tfDataCsv"),
      numericTensorsVsTfDataCsv: ratio("stepwiseTensors", "tfDataCsv"),
      numericVsRawRead: ratio("stepwiseBatches", "rawRead"),
      csvParseVsTfDataCsv: ratio("csvParse", "tfDataCsv"),
    },
    notRun: summaries.filter((s) => s.pending !== null).map((s) => ({ id: s.id, reason: s.pending })),
  };
  const resultsDir = path.join(benchDir, "results");
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(path.join(resultsDir, "latest.json"), `${JSON.stringify(results, null, 2)}\n`);
  console.log(`\nwrote ${path.relative(process.cwd(), path.join(resultsDir, "latest.json"))}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
