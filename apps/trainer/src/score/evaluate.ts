import { resolve } from "node:path";
import { batchToTensors } from "@stepwise/data/tfjs";
import { type MetricsReport, metricsAccumulator } from "../metrics/metrics.ts";
import { formatLogs } from "../run/progress.ts";
import { outOfVocabularyText } from "../train/data.ts";
import { evaluateBatches } from "../train/loop.ts";
import type { TrainIo } from "../train/run.ts";
import { compileFor, loadRun, openScoringData, scoringBatches } from "./load.ts";

export interface EvaluateFlags {
  run: string;
  data: string;
  batchSize?: number;
  backend: "wasm" | "cpu";
  onBadRecord?: "error" | "skip";
  json: boolean;
}

/**
 * Loss and the task's metrics of a finished run's model on a labelled CSV file (every row, file
 * order); `--json` adds the confusion matrix (classification and binary) and the class names.
 */
export async function evaluateRun(flags: EvaluateFlags, io: TrainIo): Promise<MetricsReport> {
  const run = await loadRun(flags.run, flags.backend, io);
  const data = await openScoringData(run.config, run.schema, resolve(flags.data), {
    withLabel: true,
    ...(flags.onBadRecord ? { onBadRecord: flags.onBadRecord } : {}),
  });
  const head = compileFor(run, data);
  const batches = await scoringBatches(data, flags.batchSize ?? run.config.batchSize);
  const toTensors = (batch: Parameters<typeof batchToTensors>[0]) =>
    batchToTensors(batch, { task: data.task });
  const { metrics } = await evaluateBatches(
    run.model,
    batches,
    toTensors,
    metricsAccumulator(data.task, head.units),
  );
  const report = metrics.report();
  const oov = data.outOfVocabulary();
  if (flags.json) {
    const { samples, loss, confusion } = report;
    const out = {
      run: flags.run,
      data: flags.data,
      samples,
      loss,
      ...report.metrics,
      ...(confusion ? { classes: data.classNames, confusion } : {}),
      ...(Object.keys(oov).length > 0 ? { outOfVocabulary: oov } : {}),
    };
    io.stdout.write(`${JSON.stringify(out)}\n`);
  } else {
    io.stdout.write(
      `${flags.data}: ${report.samples} samples - ${formatLogs(report.loss, report.metrics)}\n`,
    );
    if (report.confusion && data.classNames)
      io.stdout.write(confusionText(report.confusion, data.classNames));
  }
  const summary = data.badRecords();
  if (summary) io.stderr.write(`${summary}\n`);
  const unseen = outOfVocabularyText(oov);
  if (unseen) io.stderr.write(`${unseen}\n`);
  return report;
}

/** The confusion matrix as a small table: rows are true classes, columns predicted. */
export function confusionText(matrix: number[][], classNames: readonly string[]): string {
  const width = Math.max(
    4,
    ...classNames.map((c) => c.length),
    ...matrix.flat().map((v) => String(v).length),
  );
  const pad = (text: string) => text.padStart(width);
  const lines = [
    `Confusion matrix (rows: true class, columns: predicted)`,
    [pad(""), ...classNames.map(pad)].join(" "),
  ];
  matrix.forEach((row, i) => {
    lines.push([pad(classNames[i] ?? String(i)), ...row.map((v) => pad(String(v)))].join(" "));
  });
  return `${lines.join("\n")}\n`;
}
