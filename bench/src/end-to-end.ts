// End to end: the whole training command, each run a fresh process timed from spawn to exit.
// `stepwise train` (the built bin, one epoch, the trainer's defaults) on the numeric file, first
// with no cache of the file in `.stepwise-index/` (the schema fitted and the row index built) and
// then with both cached, against pandas + PyTorch doing the same (src/torch_train.py: read_csv, the
// same MLP, Adam, the batch size, one epoch over in-memory tensors) with 1 and with 2 threads.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { median } from "./report.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const BIN = path.join(ROOT, "apps/trainer/bin/stepwise.js");
const BUILT = path.join(ROOT, "apps/trainer/dist/bin.js");
const PYTHON = "/usr/bin/python3";
const TORCH_SCRIPT = fileURLToPath(new URL("./torch_train.py", import.meta.url));

export const END_TO_END = {
  stepwiseCold: "stepwise train (nothing cached: schema fitted, row index built)",
  stepwiseCached: "stepwise train (schema fit and row index cached)",
  torch1: "pandas.read_csv + PyTorch, 1 thread",
  torch2: "pandas.read_csv + PyTorch, 2 threads",
} as const;
export type EndToEndId = keyof typeof END_TO_END;

/** One process: seconds from spawn to exit, seconds from spawn to the end of its first step, its phases. */
export interface EndToEndRun {
  seconds: number;
  firstStepSeconds: number | null;
  /** stepwise only: seconds per phase from the run's profile.json. */
  phases: Record<string, number> | null;
}

export interface EndToEndSummary {
  id: EndToEndId;
  label: string;
  /** Why it has no figures (skipped, or failed with the error), or null. */
  pending: string | null;
  runs: number;
  medianSeconds: number | null;
  medianFirstStepSeconds: number | null;
  /** Median seconds of each phase over the runs (stepwise), in the profile's order. */
  phases: Record<string, number> | null;
  secondsPerRun: number[];
}

export interface EndToEndResult {
  file: string;
  numRows: number;
  batchSize: number;
  contenders: EndToEndSummary[];
}

/** Null when /usr/bin/python3 imports torch and pandas, else why the PyTorch contenders are skipped. */
export function torchMissing(): string | null {
  const probe = spawnSync(PYTHON, ["-c", "import torch, pandas"], { stdio: "ignore" });
  return probe.status === 0
    ? null
    : "skipped: /usr/bin/python3 with torch and pandas not found (Debian: apt-get install python3-torch python3-pandas)";
}

/** The median of each phase over `profiles` (a phase missing from a run counts as 0 there), in first-seen order. */
export function medianPhases(profiles: readonly Record<string, number>[]): Record<string, number> | null {
  if (profiles.length === 0) return null;
  const names = [...new Set(profiles.flatMap((p) => Object.keys(p)))];
  return Object.fromEntries(names.map((name) => [name, median(profiles.map((p) => p[name] ?? 0))]));
}

/** Summarizes one contender's runs (medians), or its reason for having none. */
export function summarizeEndToEnd(
  id: EndToEndId,
  runs: readonly EndToEndRun[],
  pending: string | null,
): EndToEndSummary {
  const firstSteps = runs.map((r) => r.firstStepSeconds).filter((s): s is number => s !== null);
  const profiles = runs.map((r) => r.phases).filter((p): p is Record<string, number> => p !== null);
  const none = pending !== null || runs.length === 0;
  return {
    id,
    label: END_TO_END[id],
    pending: none ? (pending ?? "not run") : null,
    runs: runs.length,
    medianSeconds: none ? null : median(runs.map((r) => r.seconds)),
    medianFirstStepSeconds: none || firstSteps.length === 0 ? null : median(firstSteps),
    phases: none ? null : medianPhases(profiles),
    secondsPerRun: runs.map((r) => r.seconds),
  };
}

interface ProfileJson {
  firstStepAtSeconds: number | null;
  phases: { name: string; seconds: number }[];
}

function stepwiseRun(file: string, batchSize: number, backend: string, cached: boolean): EndToEndRun {
  if (!cached) rmSync(path.join(path.dirname(file), ".stepwise-index"), { recursive: true, force: true });
  const out = mkdtempSync(path.join(os.tmpdir(), "stepwise-e2e-"));
  try {
    const runDir = path.join(out, "run");
    const args = [BIN, "train", "--data", file, "--label", "label", "--epochs", "1", "--seed", "1"];
    args.push("--batch-size", String(batchSize), "--backend", backend, "--out", runDir, "--profile");
    const start = performance.now();
    const result = spawnSync(process.execPath, args, { cwd: ROOT, stdio: ["ignore", "ignore", "pipe"] });
    const seconds = (performance.now() - start) / 1000;
    if (result.status !== 0) throw new Error(`stepwise train exited with ${result.status}: ${result.stderr}`);
    const profile = JSON.parse(readFileSync(path.join(runDir, "profile.json"), "utf8")) as ProfileJson;
    return {
      seconds,
      firstStepSeconds: profile.firstStepAtSeconds,
      phases: Object.fromEntries(profile.phases.map((p) => [p.name, p.seconds])),
    };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

function torchRun(file: string, batchSize: number, threads: number, numRows: number): EndToEndRun {
  const spawnedAt = Date.now() / 1000;
  const start = performance.now();
  const result = spawnSync(PYTHON, [TORCH_SCRIPT, file, "label", String(threads), String(batchSize)], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, OMP_NUM_THREADS: String(threads), MKL_NUM_THREADS: String(threads) },
  });
  const seconds = (performance.now() - start) / 1000;
  if (result.status !== 0) throw new Error(`torch_train.py exited with ${result.status}: ${result.stderr}`);
  const own = JSON.parse(result.stdout.trim().split("\n").at(-1) ?? "{}") as {
    numRows: number;
    firstStepAtUnixSeconds: number | null;
  };
  if (own.numRows !== numRows)
    throw new Error(`torch_train.py trained on ${own.numRows} rows, expected ${numRows}`);
  return {
    seconds,
    firstStepSeconds: own.firstStepAtUnixSeconds === null ? null : own.firstStepAtUnixSeconds - spawnedAt,
    phases: null,
  };
}

/**
 * Runs every contender `runs` times, round robin (cold stepwise first: it removes the file's
 * caches, which the cached run after it then finds), each a fresh process timed from spawn to exit.
 */
export function endToEnd(
  data: { file: string; numRows: number },
  options: { runs: number; batchSize: number; backend: string; log?: (line: string) => void },
): EndToEndResult {
  if (!existsSync(BUILT))
    throw new Error("apps/trainer is not built: run `pnpm build` (pnpm bench builds it first)");
  const ids = Object.keys(END_TO_END) as EndToEndId[];
  const reasons = new Map<EndToEndId, string>();
  const torch = torchMissing();
  if (torch !== null) for (const id of ["torch1", "torch2"] as const) reasons.set(id, torch);
  const runs = new Map<EndToEndId, EndToEndRun[]>(ids.map((id) => [id, []]));
  const { batchSize, backend } = options;
  for (let run = 0; run < options.runs; run++) {
    for (const id of ids) {
      if (reasons.has(id)) continue;
      try {
        const result =
          id === "stepwiseCold" || id === "stepwiseCached"
            ? stepwiseRun(data.file, batchSize, backend, id === "stepwiseCached")
            : torchRun(data.file, batchSize, id === "torch1" ? 1 : 2, data.numRows);
        runs.get(id)?.push(result);
        options.log?.(`  run ${run + 1}/${options.runs} ${id}: ${result.seconds.toFixed(2)} s`);
      } catch (error) {
        const message = error instanceof Error ? error.message.split("\n")[0] : String(error);
        reasons.set(id, `failed: ${message}`);
        options.log?.(`  run ${run + 1}/${options.runs} ${id}: FAILED (${message})`);
      }
    }
  }
  return {
    file: path.relative(ROOT, data.file),
    numRows: data.numRows,
    batchSize,
    contenders: ids.map((id) => summarizeEndToEnd(id, runs.get(id) ?? [], reasons.get(id) ?? null)),
  };
}

const seconds = (value: number | null, digits = 2) => (value === null ? "–" : `${value.toFixed(digits)} s`);

/** The printed tables: each contender's time and first step, and the stepwise runs' phases. */
export function formatEndToEnd(result: EndToEndResult): string {
  const byId = Object.fromEntries(result.contenders.map((c) => [c.id, c]));
  const torch1 = byId.torch1?.medianSeconds ?? null;
  const torch2 = byId.torch2?.medianSeconds ?? null;
  const ratio = (value: number | null, base: number | null) =>
    value === null || base === null ? "–" : `${(value / base).toFixed(2)}×`;
  const rows = result.contenders.map((c) =>
    c.pending !== null
      ? `| ${c.label} | ${c.pending} | | | |`
      : `| ${c.label} | ${seconds(c.medianSeconds)} | ${seconds(c.medianFirstStepSeconds)} | ${ratio(c.medianSeconds, torch1)} | ${ratio(c.medianSeconds, torch2)} |`,
  );
  const stepwise = result.contenders.filter((c) => c.phases !== null);
  const names = [...new Set(stepwise.flatMap((c) => Object.keys(c.phases ?? {})))];
  const phaseRows = names.map(
    (name) =>
      `| ${name} | ${stepwise
        .map((c) => {
          const value = c.phases?.[name] ?? 0;
          return `${value.toFixed(3)} s (${((100 * value) / (c.medianSeconds ?? 1)).toFixed(1)}%)`;
        })
        .join(" | ")} |`,
  );
  return [
    `### end to end: the whole training command, one epoch of (a) (${result.numRows.toLocaleString("en")} rows, batch ${result.batchSize}), fresh processes, medians; × = time over PyTorch's`,
    "",
    "| contender | seconds | first step after | vs PyTorch 1 thread | vs PyTorch 2 threads |",
    "| --- | ---: | ---: | ---: | ---: |",
    ...rows,
    "",
    "Phases of `stepwise train` (profile.json; medians per phase, share of the median run):",
    "",
    `| phase | ${stepwise.map((c) => (c.id === "stepwiseCold" ? "nothing cached" : "cached")).join(" | ")} |`,
    `| --- | ${stepwise.map(() => "---:").join(" | ")} |`,
    ...phaseRows,
  ].join("\n");
}
