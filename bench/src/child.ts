// Runs one contender once in a fresh process, so that each figure has its own peak RSS and no
// run inherits another's heap or JIT state. Started by run.ts with a job as argv[2].

import type { BenchInput } from "./contenders.ts";
import { CONTENDERS } from "./registry.ts";

export interface ChildJob {
  contenderId: string;
  input: BenchInput;
}

export interface ChildResult {
  seconds: number;
  numRows: number;
  peakRssMB: number;
}

async function main(): Promise<void> {
  const job = JSON.parse(process.argv[2] ?? "{}") as ChildJob;
  const contender = CONTENDERS.find((c) => c.id === job.contenderId);
  if (contender?.run == null) throw new Error(`no runnable contender "${job.contenderId}"`);
  await contender.setup?.(job.input);
  globalThis.gc?.();
  const start = performance.now();
  const numRows = await contender.run(job.input);
  const seconds = (performance.now() - start) / 1000;
  const peakRssMB = process.resourceUsage().maxRSS / 1024; // maxRSS is in KiB
  const result: ChildResult = { seconds, numRows, peakRssMB };
  process.send?.(result);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exit(1);
  },
);
