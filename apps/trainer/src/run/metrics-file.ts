import type { MetricsReport } from "../metrics/metrics.ts";
import type { Task } from "../model/build.ts";
import type { KeptEpoch } from "../train/loop.ts";
import type { EpochRecord } from "./history.ts";
import { formatLogs } from "./progress.ts";

/** metrics.json: the final metrics of the model a run saved. */
export interface MetricsFile {
  version: 1;
  task: Task;
  /** Class names by index (rows and columns of the confusion matrix); null for regression. */
  classes: string[] | null;
  /** 0-based epoch whose weights the saved model holds; null when no epoch ran. */
  epoch: number | null;
  /** True when those are the best epoch's weights, restored at the end (restore-best). */
  restoredBest: boolean;
  stoppedEarly: boolean;
  epochsDone: number;
  /** Training loss and step metrics of that epoch (means over its steps). */
  train: { loss: number; metrics: Record<string, number> } | null;
  /** Validation report of that epoch (or, without restore-best, of the last validation). */
  validation: (MetricsReport & { epoch: number }) | null;
}

/** What metrics.json says of a finished run. */
export function metricsFile(options: {
  task: Task;
  classNames: string[] | null;
  history: readonly EpochRecord[];
  kept: KeptEpoch | null;
  lastReport: MetricsReport | null;
  stoppedEarly: boolean;
}): MetricsFile {
  const { history, kept } = options;
  const record = kept ? history.find((r) => r.epoch === kept.epoch) : history.at(-1);
  let validation: MetricsFile["validation"] = null;
  if (kept) {
    if (kept.report) validation = { epoch: kept.epoch, ...kept.report };
  } else if (options.lastReport) {
    const validated = [...history].reverse().find((r) => r.valLoss !== null);
    if (validated) validation = { epoch: validated.epoch, ...options.lastReport };
  }
  return {
    version: 1,
    task: options.task,
    classes: options.classNames,
    epoch: record?.epoch ?? null,
    restoredBest: kept !== null,
    stoppedEarly: options.stoppedEarly,
    epochsDone: history.length,
    train: record ? { loss: record.loss, metrics: record.metrics } : null,
    validation,
  };
}

/** One line naming the epoch whose weights the model holds, or null when no epoch ran. */
export function keptEpochLine(file: MetricsFile, endEpoch: number): string | null {
  if (file.epoch === null) return null;
  const which = file.restoredBest
    ? `the best epoch, ${file.epoch + 1}/${endEpoch} (restore-best)`
    : `the last epoch, ${file.epoch + 1}/${endEpoch}`;
  const v = file.validation;
  const logs = v && v.epoch === file.epoch ? `: ${formatLogs(v.loss, v.metrics, "val_")}` : "";
  return `Model weights: ${which}${logs}`;
}
