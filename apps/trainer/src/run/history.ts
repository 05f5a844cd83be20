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

/**
 * history.csv columns: training metrics (what the step computes) and validation metrics (the
 * task's full set); `validationNames` defaults to the training ones.
 */
export function historyColumns(
  metricNames: readonly string[],
  validationNames: readonly string[] = metricNames,
): string[] {
  return [
    "epoch",
    "steps",
    "samples",
    "loss",
    ...metricNames,
    "val_loss",
    ...validationNames.map((m) => `val_${m}`),
    "seconds",
  ];
}

// Shortest round-trip text of the float: history.csv must carry the exact loss a run computed,
// so a resumed run's file can be compared with an uninterrupted one's.
function cell(value: number | null | undefined): string {
  return value === null || value === undefined ? "" : String(value);
}

/** history.csv text: a header and one line per epoch (all cells numeric; empty = no validation). */
export function formatHistory(
  records: readonly EpochRecord[],
  metricNames: readonly string[],
  validationNames: readonly string[] = metricNames,
): string {
  const lines = [historyColumns(metricNames, validationNames).join(",")];
  for (const r of records) {
    lines.push(
      [
        cell(r.epoch),
        cell(r.steps),
        cell(r.samples),
        cell(r.loss),
        ...metricNames.map((m) => cell(r.metrics[m])),
        cell(r.valLoss),
        ...validationNames.map((m) => cell(r.valMetrics?.[m])),
        cell(Math.round(r.seconds * 1000) / 1000),
      ].join(","),
    );
  }
  return `${lines.join("\n")}\n`;
}

/** The value early stopping watches in `record`: val_loss when the run validates, else loss; null when absent. */
export function monitored(record: EpochRecord, monitorValidation: boolean): number | null {
  return monitorValidation ? record.valLoss : record.loss;
}

/** Where early stopping stands after `records`: the best monitored value, its epoch, and epochs since. */
export interface EarlyStoppingState {
  best: number | null;
  bestEpoch: number | null;
  wait: number;
}

/** The early-stopping state after `records` (the counter `shouldStopEarly` compares with patience). */
export function earlyStoppingState(
  records: readonly EpochRecord[],
  monitorValidation: boolean,
): EarlyStoppingState {
  let best: number | null = null;
  let bestEpoch: number | null = null;
  let wait = 0;
  for (const r of records) {
    const value = monitored(r, monitorValidation);
    if (value === null) continue;
    // NaN never improves; a first finite value always does.
    if (best === null ? !Number.isNaN(value) : value < best) {
      best = value;
      bestEpoch = r.epoch;
      wait = 0;
    } else {
      wait++;
    }
  }
  return { best, bestEpoch, wait };
}

/** Whether the last of `records` is the best so far (it set a new best monitored value). */
export function improved(records: readonly EpochRecord[], monitorValidation: boolean): boolean {
  const last = records.at(-1);
  return (
    last !== undefined &&
    earlyStoppingState(records, monitorValidation).bestEpoch === last.epoch &&
    monitored(last, monitorValidation) !== null
  );
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
  return earlyStoppingState(records, monitorValidation).wait >= patience;
}
