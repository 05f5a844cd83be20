/** One finished epoch: counts, mean training loss/metrics, validation results when it validated. */
export interface EpochRecord {
  /** 0-based, as in the plan. */
  epoch: number;
  steps: number;
  samples: number;
  loss: number;
  /** Sample-weighted means over the epoch, keyed by metric name (e.g. accuracy, mae). */
  metrics: Record<string, number>;
  /** `null` when validation did not run after this epoch. */
  valLoss: number | null;
  valMetrics: Record<string, number> | null;
  seconds: number;
}

/** history.csv columns for a task's metric names. */
export function historyColumns(metricNames: readonly string[]): string[] {
  return [
    "epoch",
    "steps",
    "samples",
    "loss",
    ...metricNames,
    "val_loss",
    ...metricNames.map((m) => `val_${m}`),
    "seconds",
  ];
}

// Shortest round-trip text of the float: history.csv must carry the exact loss a run computed,
// so a resumed run's file can be compared with an uninterrupted one's.
function cell(value: number | null | undefined): string {
  return value === null || value === undefined ? "" : String(value);
}

/** history.csv text: a header and one line per epoch (all cells numeric; empty = no validation). */
export function formatHistory(records: readonly EpochRecord[], metricNames: readonly string[]): string {
  const lines = [historyColumns(metricNames).join(",")];
  for (const r of records) {
    lines.push(
      [
        cell(r.epoch),
        cell(r.steps),
        cell(r.samples),
        cell(r.loss),
        ...metricNames.map((m) => cell(r.metrics[m])),
        cell(r.valLoss),
        ...metricNames.map((m) => cell(r.valMetrics?.[m])),
        cell(Math.round(r.seconds * 1000) / 1000),
      ].join(","),
    );
  }
  return `${lines.join("\n")}\n`;
}

/**
 * Early stopping as Keras does it: the monitored value (val_loss when the run validates, else
 * loss) must improve on its best; after `patience` epochs without improvement training stops.
 * Epochs without the monitored value (validation skipped by validationFreq) do not count.
 * Computed from the history alone, so a resumed run decides exactly as an uninterrupted one.
 */
export function shouldStopEarly(
  records: readonly EpochRecord[],
  patience: number | undefined,
  monitorValidation: boolean,
): boolean {
  if (patience === undefined) return false;
  let best = Number.POSITIVE_INFINITY;
  let wait = 0;
  for (const r of records) {
    const value = monitorValidation ? r.valLoss : r.loss;
    if (value === null) continue;
    if (value < best) {
      best = value;
      wait = 0;
    } else {
      wait++;
    }
  }
  return wait >= patience;
}
