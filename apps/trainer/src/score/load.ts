import { join, resolve } from "node:path";
import type { Batch } from "@stepwise/data";
import { createPipeline } from "@stepwise/data";
import * as tf from "@tensorflow/tfjs";
import { checkBatchMemory } from "../limits.ts";
import { compileModel, headFor, makeOptimizer, type TaskHead } from "../model/build.ts";
import "../model/embedding.ts"; // registers the layer an embedding model.json names
import { modelUrl } from "../model/file-io.ts";
import { openCompleteRun, RUN_FILES, readRunJson } from "../run/folder.ts";
import { PATH_KEYS, type TrainConfig } from "../train/config.ts";
import { openScoringData, type ScoringData } from "../train/data.ts";
import { startBackend, type TrainIo } from "../train/run.ts";

/** A finished run, ready to score new data: its config, schema and compiled model. */
export interface LoadedRun {
  dir: string;
  config: TrainConfig;
  schema: unknown;
  model: tf.LayersModel;
  head: TaskHead;
}

/** Opens a complete run folder and loads its model through the file:// router. Throws `RunError` for anything else. */
export async function loadRun(
  dir: string,
  backend: "wasm" | "cpu",
  io: Pick<TrainIo, "stderr">,
): Promise<LoadedRun> {
  const run = await openCompleteRun(dir, "--run");
  const config = { ...run.config } as unknown as TrainConfig;
  for (const key of PATH_KEYS) {
    const value = (config as unknown as Record<string, unknown>)[key];
    if (typeof value === "string") (config as unknown as Record<string, unknown>)[key] = resolve(dir, value);
  }
  const schema = await readRunJson<unknown>(dir, RUN_FILES.schema);
  await startBackend(backend, io);
  const model = await tf.loadLayersModel(`${modelUrl(join(dir, RUN_FILES.model))}/model.json`);
  return { dir, config, schema, model, head: { ...headFor("regression", 0) } };
}

/** Compiles a loaded model for the task its data has (evaluate needs the loss and metrics). */
export function compileFor(run: LoadedRun, data: ScoringData): TaskHead {
  const head = headFor(data.task, data.classNames?.length ?? 0);
  compileModel(run.model, head, makeOptimizer(run.config.optimizer, run.config.learningRate));
  run.head = head;
  return head;
}

/** The rows of `data` in file order, batched; one pass, nothing shuffled or dropped. Throws `UsageError` for a batch too large for memory. */
export async function scoringBatches(data: ScoringData, batchSize: number): Promise<AsyncIterable<Batch>> {
  checkBatchMemory(batchSize, data.numFeatures);
  const pipeline = await createPipeline({
    source: data.source,
    batchSize,
    shuffle: "none",
    seed: 0,
    epochs: 1,
    count: "never",
  });
  return pipeline.epoch(0);
}

export { openScoringData };
