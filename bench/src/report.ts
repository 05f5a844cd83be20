import type { ChildResult } from "./child.ts";
import type { Contender } from "./contenders.ts";
import type { NumericInput } from "./generate.ts";

/** One contender's figures: medians over its runs (MB = 10^6 bytes). */
export interface ContenderSummary {
  id: string;
  label: string;
  /** Why it has no figures (pending, or failed with the error), or `null`. */
  pending: string | null;
  runs: number;
  medianSeconds: number | null;
  rowsPerSecond: number | null;
  mbPerSecond: number | null;
  /** Median over runs of each process's peak RSS (includes Node and the contender's imports). */
  peakRssMB: number | null;
  /** Highest peak RSS of any run (garbage collection timing makes it vary from run to run). */
  peakRssMaxMB: number | null;
  secondsPerRun: number[];
  peakRssPerRunMB: number[];
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

export function summarize(
  contender: Contender,
  results: readonly ChildResult[],
  input: NumericInput,
  failure?: string,
): ContenderSummary {
  const base = { id: contender.id, label: contender.label, runs: results.length };
  if (contender.run === null || results.length === 0) {
    return {
      ...base,
      pending: failure ?? contender.pendingReason ?? "not run",
      medianSeconds: null,
      rowsPerSecond: null,
      mbPerSecond: null,
      peakRssMB: null,
      peakRssMaxMB: null,
      secondsPerRun: [],
      peakRssPerRunMB: [],
    };
  }
  const seconds = median(results.map((r) => r.seconds));
  return {
    ...base,
    pending: null,
    medianSeconds: seconds,
    rowsPerSecond: input.numRows / seconds,
    mbPerSecond: input.numBytes / 1e6 / seconds,
    peakRssMB: median(results.map((r) => r.peakRssMB)),
    peakRssMaxMB: Math.max(...results.map((r) => r.peakRssMB)),
    secondsPerRun: results.map((r) => r.seconds),
    peakRssPerRunMB: results.map((r) => r.peakRssMB),
  };
}

function ratio(a: number | null, b: number | null | undefined): string {
  if (a === null || b == null) return "—";
  const r = a / b;
  return `${r >= 10 ? r.toFixed(1) : r.toPrecision(3)}×`;
}

export function printTable(summaries: readonly ContenderSummary[], cores: number): void {
  const tfData = summaries.find((s) => s.id === "tfDataCsv")?.rowsPerSecond;
  const raw = summaries.find((s) => s.id === "rawRead")?.rowsPerSecond;
  const header = ["contender", "rows/s", "MB/s", "vs tf.data.csv", "vs raw read", "peak RSS MB", "median s"];
  const rows = summaries.map((s) =>
    s.pending !== null
      ? [s.label, s.pending.startsWith("failed") ? "failed" : "pending", "", "", "", "", ""]
      : [
          s.label,
          Math.round(s.rowsPerSecond ?? 0).toLocaleString("en"),
          (s.mbPerSecond ?? 0).toFixed(1),
          ratio(s.rowsPerSecond, tfData),
          ratio(s.rowsPerSecond, raw),
          (s.peakRssMB ?? 0).toFixed(0),
          (s.medianSeconds ?? 0).toFixed(3),
        ],
  );
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join(" | ")} |`;
  console.log(`\ncores: ${cores}`);
  console.log(line(header));
  console.log(
    `|${widths.map((w, i) => (i === 0 ? ` ${"-".repeat(w)} ` : ` ${"-".repeat(w - 1)}: `)).join("|")}|`,
  );
  for (const row of rows) console.log(line(row));
  for (const s of summaries) if (s.pending !== null) console.log(`${s.id}: ${s.pending}`);
}
