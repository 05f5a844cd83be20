import type { ChildResult } from "./child.ts";
import type { Contender } from "./contenders.ts";

/** What a suite's figures are relative to: its input's rows and bytes. */
export interface SuiteInput {
  numRows: number;
  numBytes: number;
}

/** One contender's figures: medians over its runs (MB = 10^6 bytes). */
export interface ContenderSummary {
  id: string;
  label: string;
  /** Why it has no figures (pending, skipped, or failed with the error), or `null`. */
  pending: string | null;
  runs: number;
  medianSeconds: number | null;
  rowsPerSecond: number | null;
  mbPerSecond: number | null;
  /** Median over runs of each process's peak RSS (includes Node and the contender's imports). */
  peakRssMB: number | null;
  /** Highest peak RSS of any run (garbage collection timing makes it vary from run to run). */
  peakRssMaxMB: number | null;
  /** Medians of the contender's own further figures (e.g. inputWaitShare). */
  extra: Record<string, number>;
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
  input: SuiteInput,
  reason?: string,
): ContenderSummary {
  const base = { id: contender.id, label: contender.label, runs: results.length };
  if (contender.run === null || results.length === 0 || reason !== undefined) {
    return {
      ...base,
      pending: reason ?? contender.pendingReason ?? "not run",
      medianSeconds: null,
      rowsPerSecond: null,
      mbPerSecond: null,
      peakRssMB: null,
      peakRssMaxMB: null,
      extra: {},
      secondsPerRun: [],
      peakRssPerRunMB: [],
    };
  }
  const seconds = median(results.map((r) => r.seconds));
  const keys = [...new Set(results.flatMap((r) => Object.keys(r.extra)))];
  return {
    ...base,
    pending: null,
    medianSeconds: seconds,
    rowsPerSecond: input.numRows / seconds,
    mbPerSecond: input.numBytes / 1e6 / seconds,
    peakRssMB: median(results.map((r) => r.peakRssMB)),
    peakRssMaxMB: Math.max(...results.map((r) => r.peakRssMB)),
    extra: Object.fromEntries(keys.map((k) => [k, median(results.map((r) => r.extra[k] ?? Number.NaN))])),
    secondsPerRun: results.map((r) => r.seconds),
    peakRssPerRunMB: results.map((r) => r.peakRssMB),
  };
}

function ratio(a: number | null, b: number | null | undefined): string {
  if (a === null || b == null) return "—";
  const r = a / b;
  return `${r >= 10 ? r.toFixed(1) : r.toPrecision(3)}×`;
}

/** A markdown table of one suite: rows/s, MB/s, ratios to `baselineId` and to the raw read, peak RSS, seconds. */
export function formatTable(
  summaries: readonly ContenderSummary[],
  baselineId: string,
  baselineLabel: string,
): string {
  const baseline = summaries.find((s) => s.id === baselineId)?.rowsPerSecond;
  const raw = baselineId === "rawRead" ? null : summaries.find((s) => s.id === "rawRead")?.rowsPerSecond;
  const withWait = summaries.some((s) => s.extra.inputWaitShare !== undefined);
  const header = [
    "contender",
    "rows/s",
    "MB/s",
    `vs ${baselineLabel}`,
    ...(raw != null ? ["vs raw read"] : []),
    ...(withWait ? ["input wait"] : []),
    "peak RSS MB",
    "median s",
  ];
  const rows = summaries.map((s) => {
    if (s.pending !== null) {
      const what = s.pending.startsWith("failed")
        ? "failed"
        : s.pending.startsWith("skipped")
          ? "skipped"
          : "pending";
      return [s.label, what, ...header.slice(2).map(() => "")];
    }
    const wait = s.extra.inputWaitShare;
    return [
      s.label,
      Math.round(s.rowsPerSecond ?? 0).toLocaleString("en"),
      (s.mbPerSecond ?? 0).toFixed(1),
      ratio(s.rowsPerSecond, baseline),
      ...(raw != null ? [ratio(s.rowsPerSecond, raw)] : []),
      ...(withWait ? [wait === undefined ? "" : `${(100 * wait).toFixed(1)}%`] : []),
      (s.peakRssMB ?? 0).toFixed(0),
      (s.medianSeconds ?? 0).toFixed(3),
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join(" | ")} |`;
  const lines = [
    line(header),
    `|${widths.map((w, i) => (i === 0 ? ` ${"-".repeat(w)} ` : ` ${"-".repeat(w - 1)}: `)).join("|")}|`,
    ...rows.map(line),
  ];
  for (const s of summaries) if (s.pending !== null) lines.push(`${s.id}: ${s.pending}`);
  return lines.join("\n");
}
