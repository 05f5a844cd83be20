// Cold start of the trainer's commands that do not train, each run a fresh process timed from
// spawn to exit: the former `pnpm trainer` (the tsx wrapper compiling the TypeScript source), the
// workspace's `pnpm trainer` now (node with tsx's hook, from source) and the built `stepwise` bin
// (plain JavaScript). tsx caches what it compiles, so its figures are of a warm cache, as a user's
// second command would see them.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const BIN = path.join(ROOT, "apps/trainer/bin/stepwise.js");
const BUILT = path.join(ROOT, "apps/trainer/dist/bin.js");
const require = createRequire(import.meta.url);
const TSX_CLI = require.resolve("tsx/cli");
const TSX_HOOK = require.resolve("tsx");

export const LAUNCHERS = {
  tsxWrapper: {
    label: "tsx apps/trainer/src/cli.ts (the former pnpm trainer)",
    argv: [TSX_CLI, "--conditions=@stepwise/source", path.join(ROOT, "apps/trainer/src/cli.ts")],
  },
  sourceHook: {
    label: "node --import tsx src/bin.ts (pnpm trainer now)",
    argv: ["--conditions=@stepwise/source", "--import", TSX_HOOK, path.join(ROOT, "apps/trainer/src/bin.ts")],
  },
  built: { label: "stepwise (built JavaScript)", argv: [BIN] },
} as const;
export type LauncherId = keyof typeof LAUNCHERS;

export const COMMANDS = {
  help: ["--help"],
  plan: ["plan", "--data", path.join(ROOT, "examples/iris/iris.csv"), "--batch-size", "16", "--epochs", "3"],
} as const;
export type CommandId = keyof typeof COMMANDS;

/** Median of a non-empty list. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

function timeOnce(launcher: LauncherId, command: CommandId): number {
  const start = performance.now();
  const result = spawnSync(process.execPath, [...LAUNCHERS[launcher].argv, ...COMMANDS[command]], {
    cwd: ROOT,
    stdio: ["ignore", "ignore", "pipe"],
    env: { ...process.env, FORCE_COLOR: "0" },
  });
  const seconds = (performance.now() - start) / 1000;
  if (result.status !== 0)
    throw new Error(`${launcher} ${command} exited with ${result.status}: ${result.stderr}`);
  return seconds;
}

export interface ColdStartResult {
  runs: number;
  /** Median seconds per command and launcher. */
  medianSeconds: Record<CommandId, Record<LauncherId, number>>;
  /** How many times faster the built bin starts than the former tsx wrapper, and than `pnpm trainer` now. */
  ratios: Record<`${CommandId}${"VsTsxWrapper" | "VsSourceHook"}`, number>;
}

/** Runs every command with every launcher `runs` times, round robin, after one untimed warm-up each. */
export function coldStart(runs: number): ColdStartResult {
  if (!existsSync(BUILT))
    throw new Error("apps/trainer is not built: run `pnpm build` (pnpm bench builds it first)");
  const launchers = Object.keys(LAUNCHERS) as LauncherId[];
  const commands = Object.keys(COMMANDS) as CommandId[];
  const samples = new Map<string, number[]>();
  for (const l of launchers) for (const c of commands) timeOnce(l, c); // fills tsx's cache and the OS file cache
  for (let run = 0; run < runs; run++) {
    for (const c of commands) {
      for (const l of launchers)
        samples.set(`${c}/${l}`, [...(samples.get(`${c}/${l}`) ?? []), timeOnce(l, c)]);
    }
  }
  const medianOf = (c: CommandId, l: LauncherId) => median(samples.get(`${c}/${l}`) ?? []);
  const medianSeconds = Object.fromEntries(
    commands.map((c) => [c, Object.fromEntries(launchers.map((l) => [l, medianOf(c, l)]))]),
  ) as ColdStartResult["medianSeconds"];
  const ratio = (c: CommandId, l: LauncherId) => medianSeconds[c][l] / medianSeconds[c].built;
  return {
    runs,
    medianSeconds,
    ratios: {
      helpVsTsxWrapper: ratio("help", "tsxWrapper"),
      helpVsSourceHook: ratio("help", "sourceHook"),
      planVsTsxWrapper: ratio("plan", "tsxWrapper"),
      planVsSourceHook: ratio("plan", "sourceHook"),
    },
  };
}

/** The printed table: median seconds per launcher and command, and each launcher's time over the built bin's. */
export function formatColdStart(result: ColdStartResult): string {
  const rows = (Object.keys(LAUNCHERS) as LauncherId[]).map((l) => {
    const cells = (Object.keys(COMMANDS) as CommandId[]).map((c) => {
      const seconds = result.medianSeconds[c][l];
      return `${seconds.toFixed(3)} s (${(seconds / result.medianSeconds[c].built).toFixed(2)}×)`;
    });
    return `| ${LAUNCHERS[l].label} | ${cells.join(" | ")} |`;
  });
  return [
    `### trainer cold start (median of ${result.runs} runs; × = time over the built bin's)`,
    "",
    "| launcher | `--help` | `plan --data iris.csv` |",
    "| --- | --- | --- |",
    ...rows,
  ].join("\n");
}
