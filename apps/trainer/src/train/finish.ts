import { basename, join } from "node:path";
import type * as tf from "@tensorflow/tfjs";
import { writeFileAtomic } from "../files.ts";
import type { MetricsReport } from "../metrics/metrics.ts";
import { modelUrl } from "../model/file-io.ts";
import { renderCurvesSvg } from "../run/curves.ts";
import { RUN_FILES, writeJson, writeStatus } from "../run/folder.ts";
import { formatHistory } from "../run/history.ts";
import { keptEpochLine, metricsFile } from "../run/metrics-file.ts";
import { formatLogs } from "../run/progress.ts";
import type { TrainConfig } from "./config.ts";
import type { OpenedData } from "./data.ts";
import type { KeptEpoch, LoopResult } from "./loop.ts";
import type { TrainIo } from "./run.ts";

/**
 * The files a finished run ends with: the model (the kept epoch's weights, already in `model`),
 * history.csv, metrics.json, curves.svg and the `complete` status; then the closing lines
 * (bad records, final logs, the kept epoch). Throws `FileError` naming a file it cannot write.
 */
export async function finishRun(options: {
  config: TrainConfig;
  dir: string;
  model: tf.LayersModel;
  data: OpenedData;
  metricNames: string[];
  validationNames: string[];
  result: LoopResult;
  kept: KeptEpoch | null;
  lastReport: MetricsReport | null;
  endEpoch: number;
  io: TrainIo;
}): Promise<void> {
  const { config, dir, model, data, metricNames, validationNames, result, kept, lastReport, io } = options;
  await model.save(modelUrl(join(dir, RUN_FILES.model)));
  await writeFileAtomic(
    join(dir, RUN_FILES.history),
    formatHistory(result.history, metricNames, validationNames),
  );
  const metrics = metricsFile({
    task: data.task,
    classNames: data.classNames,
    history: result.history,
    kept,
    lastReport,
    stoppedEarly: result.stoppedEarly,
  });
  await writeJson(join(dir, RUN_FILES.metrics), metrics);
  await writeFileAtomic(
    join(dir, RUN_FILES.curves),
    await renderCurvesSvg(
      result.history,
      [...new Set([...metricNames, ...validationNames])],
      `${basename(dir)}: learning curves (label ${config.label})`,
    ),
  );
  await writeStatus(dir, {
    status: "complete",
    stoppedEarly: result.stoppedEarly,
    epochsDone: result.history.length,
    ...(metrics.epoch !== null ? { keptEpoch: metrics.epoch, restoredBest: metrics.restoredBest } : {}),
  });
  const summary = data.badRecords();
  if (summary) io.stdout.write(`${summary}\n`);
  const last = result.history.at(-1);
  if (last) {
    const lastValidated = [...result.history].reverse().find((r) => r.valLoss !== null);
    const parts = [formatLogs(last.loss, last.metrics)];
    if (lastValidated)
      parts.push(formatLogs(lastValidated.valLoss as number, lastValidated.valMetrics ?? {}, "val_"));
    io.stdout.write(`Final: ${parts.join(" - ")}\n`);
  }
  const keptLine = keptEpochLine(metrics, options.endEpoch);
  if (keptLine) io.stdout.write(`${keptLine}\n`);
}
