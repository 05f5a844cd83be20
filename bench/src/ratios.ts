// The figures `latest.json` is judged by, from a run's summaries: kept apart from the runner so
// that which contender a ratio compares, and what happens when one is missing, is tested.

import type { EndToEndResult } from "./end-to-end.ts";
import type { SuiteId } from "./registry.ts";
import type { ContenderSummary } from "./report.ts";

export type SuiteResults = Partial<Record<SuiteId, ContenderSummary[]>>;

/** Contenders of one suite by id. */
export const byId = (summaries: readonly ContenderSummary[] | undefined) =>
  Object.fromEntries((summaries ?? []).map((s) => [s.id, s]));

/** Rows/s of `a` over rows/s of `b`, or null when either has no figure. */
export function ratioOf(list: readonly ContenderSummary[] | undefined, a: string, b: string): number | null {
  const x = byId(list)[a]?.rowsPerSecond;
  const y = byId(list)[b]?.rowsPerSecond;
  return x == null || y == null ? null : x / y;
}

/** The faster of stepwise's two file → Float32Array batch configurations (this thread, or parsing in a worker). */
export function bestStepwise(list: readonly ContenderSummary[] | undefined): string | null {
  const candidates = ["stepwiseBatches", "stepwiseParallelBatches"]
    .map((id) => byId(list)[id])
    .filter((s): s is ContenderSummary => s?.rowsPerSecond != null);
  candidates.sort((p, q) => (q.rowsPerSecond as number) - (p.rowsPerSecond as number));
  return candidates[0]?.id ?? null;
}

/** The `ratios` object of `latest.json`: the headline ratios, then the figures beside them. */
export function ratiosOf(results: SuiteResults) {
  const numericBest = bestStepwise(results.numeric);
  const mixedBest = bestStepwise(results.mixed);
  return {
    numericVsTfDataCsv: numericBest ? ratioOf(results.numeric, numericBest, "tfDataCsv") : null,
    numericVsPandas: numericBest ? ratioOf(results.numeric, numericBest, "pandasReadCsv") : null,
    mixedVsTfDataCsv: mixedBest ? ratioOf(results.mixed, mixedBest, "tfDataCsv") : null,
    trainEpochVsFitDataset: ratioOf(results.train, "trainerWorker", "fitDatasetTfDataCsv"),
    // The contenders the headline ratios use, and the one-thread figures beside them.
    numericContender: numericBest,
    mixedContender: mixedBest,
    numericInThreadVsTfDataCsv: ratioOf(results.numeric, "stepwiseBatches", "tfDataCsv"),
    numericInThreadVsPandas: ratioOf(results.numeric, "stepwiseBatches", "pandasReadCsv"),
    mixedInThreadVsTfDataCsv: ratioOf(results.mixed, "stepwiseBatches", "tfDataCsv"),
    mixedVsPandas: mixedBest ? ratioOf(results.mixed, mixedBest, "pandasReadCsv") : null,
    trainEpochMainLoaderVsFitDataset: ratioOf(results.train, "trainerMain", "fitDatasetTfDataCsv"),
    trainEpochFullShuffleVsFitDataset: ratioOf(results.train, "trainerWorkerFull", "fitDatasetTfDataCsv"),
    numericTensorsVsTfDataCsv: ratioOf(results.numeric, "stepwiseParallelTensors", "tfDataCsv"),
  };
}

/** Anything short of every contender of numeric, mixed and train is partial: it must not replace `latest.*`. */
export function isPartialRun(only: readonly string[] | undefined, suites: readonly SuiteId[]): boolean {
  return only !== undefined || !(["numeric", "mixed", "train"] as const).every((s) => suites.includes(s));
}

/**
 * The end-to-end figures of `latest.json`: the whole `stepwise train` command's time over pandas +
 * PyTorch's (lower is better; the target is at most 0.6), with nothing cached and with the
 * schema fit and row index cached, against 1 and 2 PyTorch threads; and seconds from the
 * process's start to the end of its first step. Null where a contender has no figure.
 */
export function endToEndRatios(result: EndToEndResult | null) {
  const seconds = (id: string, key: "medianSeconds" | "medianFirstStepSeconds" = "medianSeconds") =>
    result?.contenders.find((c) => c.id === id)?.[key] ?? null;
  const over = (a: string, b: string) => {
    const x = seconds(a);
    const y = seconds(b);
    return x === null || y === null ? null : x / y;
  };
  return {
    endToEndColdVsTorch1Thread: over("stepwiseCold", "torch1"),
    endToEndColdVsTorch2Threads: over("stepwiseCold", "torch2"),
    endToEndCachedVsTorch1Thread: over("stepwiseCached", "torch1"),
    endToEndCachedVsTorch2Threads: over("stepwiseCached", "torch2"),
    firstStepColdSeconds: seconds("stepwiseCold", "medianFirstStepSeconds"),
    firstStepCachedSeconds: seconds("stepwiseCached", "medianFirstStepSeconds"),
    firstStepTorch1ThreadSeconds: seconds("torch1", "medianFirstStepSeconds"),
  };
}
