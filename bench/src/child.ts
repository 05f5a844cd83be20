// Runs one contender once in a fresh process, so that each figure has its own peak RSS and no
// run inherits another's heap or JIT state. Started by run.ts with a job as argv[2].

import type { BenchInput } from "./contenders.ts";
import { findContender, type SuiteId } from "./registry.ts";

export interface ChildJob {
  suite: SuiteId;
  contenderId: string;
  input: BenchInput;
}

export interface ChildResult {
  seconds: number;
  numRows: number;
  peakRssMB: number;
  extra: Record<string, number>;
}

async function main(): Promise<void> {
  const job = JSON.parse(process.argv[2] ?? "{}") as ChildJob;
  const contender = findContender(job.suite, job.contenderId);
  if (contender?.run == null) throw new Error(`no runnable contender "${job.contenderId}" in ${job.suite}`);
  await contender.setup?.(job.input);
  globalThis.gc?.();
  const start = performance.now();
  const outcome = await contender.run(job.input);
  const wall = (performance.now() - start) / 1000;
  const own = typeof outcome === "number" ? { numRows: outcome } : outcome;
  const result: ChildResult = {
    seconds: own.seconds ?? wall,
    numRows: own.numRows,
    peakRssMB: own.peakRssMB ?? process.resourceUsage().maxRSS / 1024, // maxRSS is in KiB
    extra: own.extra ?? {},
  };
  process.send?.(result);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exit(1);
  },
);
