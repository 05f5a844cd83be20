// `pnpm bench [--quick] [--large] [--runs N] [--train-runs N] [--rows N] [--batch-size B]
//   [--backend wasm|cpu] [--suites numeric,mixed,train,coldstart,endtoend,large] [--only id,id] [--seed N]`
// Generates its inputs, runs every contender several times (round robin, one fresh process per
// run), prints a table per suite and writes bench/results/latest.json (a partial run, with --only
// or a --suites subset: bench/results/partial.json, git-ignored).
import { fork } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import type { ChildJob, ChildResult } from "./child.ts";
import { type ColdStartResult, coldStart, formatColdStart } from "./cold-start.ts";
import type { BenchInput, DatasetId } from "./contenders.ts";
import { type EndToEndResult, endToEnd, formatEndToEnd } from "./end-to-end.ts";
import { type MixedInput, mixedCsv, type NumericInput, numericCsv } from "./generate.ts";
import { byId, endToEndRatios, isPartialRun, ratiosOf } from "./ratios.ts";
import { SUITES, type Suite, type SuiteId } from "./registry.ts";
import { type ContenderSummary, formatTable, summarize } from "./report.ts";

const here = path.dirname(fileURLToPath(import.meta.url));
const benchDir = path.resolve(here, "..");
const dataDir = path.join(benchDir, ".data");

const { values: args } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    large: { type: "boolean", default: false },
    runs: { type: "string" },
    "train-runs": { type: "string" },
    rows: { type: "string" },
    "batch-size": { type: "string", default: "32" },
    backend: { type: "string", default: "wasm" },
    suites: { type: "string" },
    only: { type: "string" },
    seed: { type: "string", default: "1" },
  },
});

/** Rows of the ≥ 1 GB file: about 122 bytes a row. */
const LARGE_ROWS = 8_400_000;
const LARGE_SHUFFLE_BUFFER = 10_000;

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

/** Runs a suite's contenders `runs` times each, round robin, and summarizes them. */
async function runSuite(
  suite: Suite,
  input: Omit<BenchInput, "dataset" | "data">,
  data: NumericInput | MixedInput,
  runs: number,
  only: string[] | undefined,
  quick: boolean,
): Promise<ContenderSummary[]> {
  const contenders = suite.contenders.filter((c) =>
    only === undefined ? !(quick && c.secondary) : only.includes(c.id),
  );
  const reasons = new Map<string, string>();
  for (const contender of contenders) {
    const missing = (await contender.unavailable?.()) ?? null;
    if (missing !== null) reasons.set(contender.id, missing);
  }
  const samples = new Map<string, ChildResult[]>(contenders.map((c) => [c.id, []]));
  const job = { ...input, dataset: suite.dataset, data };
  console.log(
    `\n${suite.title}: ${path.relative(process.cwd(), data.file)} (${(data.numBytes / 1e6).toFixed(1)} MB, ${data.numRows.toLocaleString("en")} rows), ${runs} runs each`,
  );
  // Round robin, so that a slow spell on a shared machine hits every contender alike.
  for (let run = 0; run < runs; run++) {
    for (const contender of contenders) {
      if (contender.run === null || reasons.has(contender.id)) continue;
      try {
        const result = await runChild({ suite: suite.id, contenderId: contender.id, input: job });
        if (result.numRows !== data.numRows) {
          throw new Error(`delivered ${result.numRows} rows, expected ${data.numRows}`);
        }
        samples.get(contender.id)?.push(result);
        console.log(`  run ${run + 1}/${runs} ${contender.id}: ${result.seconds.toFixed(2)} s`);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        reasons.set(contender.id, `failed: ${message}`);
        console.log(`  run ${run + 1}/${runs} ${contender.id}: FAILED (${message})`);
      }
    }
  }
  return contenders.map((c) => summarize(c, samples.get(c.id) ?? [], data, reasons.get(c.id)));
}

/** A suite's figures for the JSON file: every contender, `null` when it has no figures (e.g. pandas absent). */
function suiteJson(data: NumericInput | MixedInput | null, list: readonly ContenderSummary[] | undefined) {
  if (data === null || list === undefined) return null;
  return {
    file: path.relative(benchDir, data.file),
    numRows: data.numRows,
    numBytes: data.numBytes,
    contenders: Object.fromEntries(list.map((s) => [s.id, s.pending === null ? s : null])),
    notRun: list.filter((s) => s.pending !== null).map((s) => ({ id: s.id, reason: s.pending })),
  };
}

async function main(): Promise<void> {
  const quick = args.quick ?? false;
  const numRows = args.rows ? positiveInt("rows", args.rows) : quick ? 100_000 : 1_000_000;
  const runs = args.runs ? positiveInt("runs", args.runs) : quick ? 3 : 5;
  const trainRuns = args["train-runs"] ? positiveInt("train-runs", args["train-runs"]) : quick ? 1 : 3;
  const batchSize = positiveInt("batch-size", args["batch-size"] ?? "32");
  const backend = args.backend === "cpu" ? "cpu" : "wasm";
  const seed = positiveInt("seed", args.seed ?? "1");
  const only = args.only?.split(",");
  const requested = args.suites?.split(",") ?? [
    "numeric",
    "mixed",
    "train",
    "coldstart",
    "endtoend",
    ...(args.large ? ["large"] : []),
  ];
  // Cold start and end to end time whole commands (their own runners, not contender processes).
  const wanted = requested.filter((s) => s !== "coldstart" && s !== "endtoend") as SuiteId[];
  // Anything short of every suite's every contender (`--only`, or a `--suites` list without all
  // of numeric, mixed and train) is a partial run.
  const partial = isPartialRun(only, wanted);
  const cores = os.availableParallelism();
  console.log(
    `stepwise bench — ${cores} cores (${os.cpus()[0]?.model ?? "unknown cpu"}), node ${process.version}`,
  );
  console.log(
    `batch size ${batchSize}, tfjs backend ${backend}; generating inputs in ${path.relative(process.cwd(), dataDir)} …`,
  );

  const inputs: Partial<Record<DatasetId, NumericInput | MixedInput>> = {};
  inputs.numeric = await numericCsv(dataDir, { numRows, numFeatures: 16, seed });
  if (wanted.includes("mixed")) inputs.mixed = await mixedCsv(dataDir, { numRows, seed });
  if (wanted.includes("large")) {
    console.log(`generating the large file (${LARGE_ROWS.toLocaleString("en")} rows) once; it is reused …`);
    inputs.large = await numericCsv(dataDir, { numRows: LARGE_ROWS, numFeatures: 16, seed });
  }

  const results: Partial<Record<SuiteId, ContenderSummary[]>> = {};
  const tables: string[] = [];
  for (const suite of SUITES) {
    if (!wanted.includes(suite.id)) continue;
    const data = inputs[suite.dataset] as NumericInput | MixedInput;
    const shuffleBuffer = suite.id === "large" ? LARGE_SHUFFLE_BUFFER : null;
    const summaries = await runSuite(
      suite,
      { batchSize, backend, shuffleBuffer },
      data,
      suite.id === "train" ? trainRuns : suite.id === "large" ? Math.min(runs, 3) : runs,
      only,
      quick,
    );
    results[suite.id] = summaries;
    const [baseline, baselineLabel] =
      suite.id === "train"
        ? ["fitDatasetTfDataCsv", "fitDataset"]
        : suite.id === "large"
          ? ["rawRead", "raw read"]
          : suite.id === "formats"
            ? ["formatCsv", "CSV"]
            : ["tfDataCsv", "tf.data.csv"];
    const table = `### ${suite.title}\n\n${formatTable(summaries, baseline, baselineLabel)}`;
    tables.push(table);
    console.log(`\n${table}`);
  }

  let coldStartResult: ColdStartResult | null = null;
  if (requested.includes("coldstart") && only === undefined) {
    console.log(`\ntrainer cold start: ${runs} runs of each command per launcher …`);
    coldStartResult = coldStart(runs);
    const table = formatColdStart(coldStartResult);
    tables.push(table);
    console.log(`\n${table}`);
  }

  let endToEndResult: EndToEndResult | null = null;
  if (requested.includes("endtoend") && only === undefined && inputs.numeric) {
    console.log(`\nend to end: ${trainRuns} runs of each whole training command …`);
    endToEndResult = endToEnd(inputs.numeric, { runs: trainRuns, batchSize, backend, log: console.log });
    const table = formatEndToEnd(endToEndResult);
    tables.push(table);
    console.log(`\n${table}`);
  }

  const ratios = {
    ...ratiosOf(results),
    ...(coldStartResult?.ratios ?? {}),
    ...endToEndRatios(endToEndResult),
    helpSeconds: coldStartResult?.medianSeconds.help.built ?? null,
  };
  const trainer = byId(results.train).trainerWorker;
  const counting = byId(results.numeric).rowCount;
  const largeStream = byId(results.large).stepwiseBatches;
  const output = {
    date: new Date().toISOString(),
    command: `pnpm bench ${process.argv.slice(2).join(" ")}`.trim(),
    cores,
    cpu: os.cpus()[0]?.model ?? null,
    node: process.version,
    quick,
    runsPerContender: runs,
    trainRunsPerContender: trainRuns,
    batchSize,
    backend,
    numeric: suiteJson(inputs.numeric ?? null, results.numeric),
    mixed: suiteJson(inputs.mixed ?? null, results.mixed),
    train: suiteJson(inputs.numeric ?? null, results.train),
    large: suiteJson(inputs.large ?? null, results.large),
    coldStart: coldStartResult,
    endToEnd: endToEndResult,
    formats: suiteJson(inputs.numeric ?? null, results.formats),
    ratios,
    inputWaitShare: trainer?.extra.inputWaitShare ?? null,
    inputWaitShareFullShuffle: byId(results.train).trainerWorkerFull?.extra.inputWaitShare ?? null,
    // The highest of the runs: the bar is on the peak.
    peakRssLargeMB: largeStream?.peakRssMaxMB ?? null,
    peakRssTfDataCsvMB: byId(results.numeric).tfDataCsv?.peakRssMaxMB ?? null,
    rowCountGBps:
      counting?.medianSeconds != null && inputs.numeric
        ? inputs.numeric.numBytes / 1e9 / counting.medianSeconds
        : null,
  };
  const resultsDir = path.join(benchDir, "results");
  mkdirSync(resultsDir, { recursive: true });
  // A partial run (a contender or suite subset) must not replace the full run's committed results.
  const stem = partial ? "partial" : "latest";
  const jsonFile = path.join(resultsDir, `${stem}.json`);
  writeFileSync(jsonFile, `${JSON.stringify({ ...output, partial }, null, 2)}\n`);
  writeFileSync(path.join(resultsDir, `${stem}.md`), `${tables.join("\n\n")}\n`);
  const shown = Object.entries({
    ...ratios,
    inputWaitShare: output.inputWaitShare,
    peakRssLargeMB: output.peakRssLargeMB,
    rowCountGBps: output.rowCountGBps,
  })
    .map(([k, v]) => `  ${k}: ${typeof v === "number" ? v.toFixed(k === "inputWaitShare" ? 4 : 2) : v}`)
    .join("\n");
  console.log(
    `\ncores: ${cores}\n${shown}\n\nwrote ${path.relative(process.cwd(), jsonFile)}${partial ? " (partial run: latest.json left as it is)" : ""}`,
  );
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
