import { resolve } from "node:path";
import { batchToTensors } from "@stepwise/data/tfjs";
import { formatLogs } from "../run/progress.ts";
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

/** Loss and metrics of a finished run's model on a labelled CSV file (every row, file order). */
export async function evaluateRun(flags: EvaluateFlags, io: TrainIo): Promise<Record<string, number>> {
  const run = await loadRun(flags.run, flags.backend, io);
  const data = await openScoringData(run.config, run.schema, resolve(flags.data), {
    withLabel: true,
    ...(flags.onBadRecord ? { onBadRecord: flags.onBadRecord } : {}),
  });
  const head = compileFor(run, data);
  const batches = await scoringBatches(data, flags.batchSize ?? run.config.batchSize);
  const toTensors = (batch: Parameters<typeof batchToTensors>[0]) =>
    batchToTensors(batch, { task: data.task });
  const result = await evaluateBatches(run.model, batches, toTensors, head.metricNames);
  const report = { samples: result.samples, loss: result.loss, ...result.metrics };
  if (flags.json) {
    io.stdout.write(`${JSON.stringify({ run: flags.run, data: flags.data, ...report })}\n`);
  } else {
    io.stdout.write(
      `${flags.data}: ${result.samples} samples - ${formatLogs(result.loss, result.metrics)}\n`,
    );
  }
  const summary = data.badRecords();
  if (summary) io.stderr.write(`${summary}\n`);
  return report;
}
