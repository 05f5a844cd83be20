import { join } from "node:path";
import type { Pipeline, PipelineState } from "@stepwise/data";
import { inputLayout } from "@stepwise/data/internals";
import { batchToTensors, initBackend } from "@stepwise/data/tfjs";
import * as tf from "@tensorflow/tfjs";
import {
  dataParallelEvaluate,
  dataParallelStep,
  weightSizes,
  withoutPadding,
} from "../distributed/data-parallel.ts";
import { joinRanks, type Parallel, rankPlanHash } from "../distributed/join.ts";
import { atEpochStart } from "../distributed/redeal.ts";
import { writeFileAtomic } from "../files.ts";
import { formatPlan } from "../format/plan-table.ts";
import { checkBatchMemory, checkTrainingSize } from "../limits.ts";
import { type MetricsAccumulator, metricsAccumulator, validationMetricNames } from "../metrics/metrics.ts";
import {
  buildMlp,
  compileModel,
  headFor,
  loadArchitecture,
  makeOptimizer,
  parseModelSpec,
} from "../model/build.ts";
import { classWeights } from "../model/class-weights.ts";
import { buildEmbeddingMlp, embeddingShape } from "../model/embedding.ts";
import { registerFileRouters } from "../model/file-io.ts";
import { captureModelWeights, restoreModelWeights } from "../model/state.ts";
import { createTrainStep, type TrainStep } from "../model/train-step.ts";
import { type Checkpoint, writeCheckpoint } from "../run/checkpoint.ts";
import { writeChecksums } from "../run/checksums.ts";
import { jsonText, RUN_FILES, writeJson, writeStatus } from "../run/folder.ts";
import { type EpochRecord, earlyStoppingState, formatHistory } from "../run/history.ts";
import { onFirstItem, PhaseRecorder, timedIteration } from "../run/profile.ts";
import { type ProgressStream, progressFor } from "../run/progress.ts";
import type { TrainConfig } from "./config.ts";
import { type OpenedData, openTrainingData } from "./data.ts";
import { createFeed } from "./feed.ts";
import { finishRun } from "./finish.ts";
import type { Inputs } from "./inputs.ts";
import { evaluateBatches, type KeptEpoch, trainLoop } from "./loop.ts";
import { openRunManifest, recorded } from "./manifest.ts";

export interface TrainIo {
  stdout: ProgressStream;
  stderr: { write(text: string): unknown };
}

/** The run folder to train into, and the checkpoint to continue from (null: start at initialEpoch). */
export interface RunTarget {
  dir: string;
  checkpoint: Checkpoint | null;
}

/** Makes the requested tfjs backend active and silences tfjs's console banner. */
export async function startBackend(name: "wasm" | "cpu", io: Pick<TrainIo, "stderr">): Promise<string> {
  // Production mode drops tfjs's "install tfjs-node" banner, which cannot be acted on here.
  tf.env().set("PROD", true);
  registerFileRouters();
  const { backend, warning } = await initBackend(name);
  if (warning) io.stderr.write(`warning: ${warning}\n`);
  return backend;
}

async function buildModel(config: TrainConfig, data: OpenedData): Promise<tf.LayersModel> {
  const head = headFor(data.task, data.classNames?.length ?? 0);
  const layout = inputLayout(data.schemaJson);
  const options = {
    numFeatures: data.numFeatures,
    hidden: parseModelSpec(config.model),
    head,
    seed: config.seed,
  };
  const model = config.modelJson
    ? await loadArchitecture(config.modelJson, { numFeatures: data.numFeatures, head, seed: config.seed })
    : layout.embeddings.length > 0
      ? buildEmbeddingMlp({ ...options, layout })
      : buildMlp(options);
  compileModel(model, head, makeOptimizer(config.optimizer, config.learningRate));
  return model;
}

/** Everything a run prepares before it may touch the run folder: backend, data, schema, plan, model. */
export interface Prepared {
  backend: string;
  data: OpenedData;
  /** The run's pipeline (its batches made on this thread or a worker thread). */
  feed: Pipeline;
  model: tf.LayersModel;
  /** How each optimizer step is taken; owns the optimizer state checkpoints save. */
  step: TrainStep;
  /** What each training step reports after the loss (accuracy or mae). */
  metricNames: string[];
  /** The task's validation metrics (after val_loss), as history.csv and progress show them. */
  validationNames: string[];
  /** An empty accumulator of the task's validation metrics. */
  newMetrics(): MetricsAccumulator;
  /** This rank's part in a data-parallel run; null for one process. Rank 0 alone writes the run folder. */
  parallel: Parallel | null;
  /** Where the command's time goes (profile.json, `--profile`): preparation so far, training to come. */
  phases: PhaseRecorder;
}

/**
 * Prepares a run and prints the schema and the plan. Bad input fails here, before any file
 * of the run folder is written.
 */
export async function prepareRun(
  config: TrainConfig,
  io: TrainIo,
  savedSchema: unknown,
  phases = new PhaseRecorder(),
): Promise<Prepared> {
  const data = await openTrainingData(config, savedSchema, phases);
  checkBatchMemory(config.batchSize, data.numFeatures);
  io.stdout.write(`${data.schemaText}\n`);
  const feed = await phases.time("workerStart", () => createFeed(config, data));
  io.stdout.write(`${formatPlan(feed.plan)}\n`);
  const backend = await phases.time("backend", () => startBackend(config.backend, io));
  const modelStart = phases.now();
  // Sizes before allocation: a model or batch that cannot fit fails now, naming its size.
  const embedded = embeddingShape(inputLayout(data.schemaJson));
  await checkTrainingSize(
    config,
    {
      numFeatures: config.modelJson === undefined ? embedded.denseInputs : data.numFeatures,
      extraParams: config.modelJson === undefined ? embedded.embeddingParams : 0,
      outputUnits: headFor(data.task, data.classNames?.length ?? 0).units,
      hidden: () => parseModelSpec(config.model),
    },
    backend as "wasm" | "cpu",
  );
  const weights = config.classWeight
    ? classWeights(config.classWeight, data.task, data.classNames, labelCounts(data))
    : undefined;
  if (weights && data.classNames) {
    const named = data.classNames.map((name, i) => `${name}=${Number(weights[i]?.toPrecision(4))}`);
    io.stdout.write(`Class weights (${config.classWeight}): ${named.join(", ")}\n`);
  }
  const model = await buildModel(config, data);
  const step = createTrainStep(model, {
    task: data.task,
    ...(data.classNames ? { numClasses: data.classNames.length } : {}),
    mode: config.trainStep ?? "auto",
    ...(weights ? { classWeights: weights } : {}),
  });
  const loader = `${feed.loader === "worker" ? "a worker thread" : "the training thread"}${config.loader === "auto" ? " (auto)" : ""}`;
  io.stdout.write(`Batches prepared on ${loader}; training step: ${step.description}\n`);
  const metricNames = headFor(data.task, data.classNames?.length ?? 0).metricNames;
  const parallel = await joinRanks(config, rankPlanHash(config, feed.plan, data.numFeatures)).catch(
    async (error: unknown) => {
      await feed.close();
      throw error;
    },
  );
  if (parallel) {
    const parameters = weightSizes(model).reduce((a, b) => a + b, 0);
    io.stdout.write(
      `Data-parallel: rank ${parallel.rank} of ${parallel.worldSize}; gradients of ${parameters} parameters averaged over the ranks every step\n`,
    );
  }
  phases.add("model", phases.now() - modelStart);
  const units = headFor(data.task, data.classNames?.length ?? 0).units;
  return {
    backend,
    data,
    feed,
    model,
    step,
    metricNames,
    validationNames: validationMetricNames(data.task),
    newMetrics: () => metricsAccumulator(data.task, units),
    parallel,
    phases,
  };
}

/** The schema label's fitted samples per class, when it records them. */
function labelCounts(data: OpenedData): number[] | undefined {
  const label = data.schemaJson.label;
  return label && label.kind !== "regression" ? label.counts : undefined;
}

async function restore(prepared: Prepared, checkpoint: Checkpoint): Promise<void> {
  restoreModelWeights(prepared.model, checkpoint.model);
  await prepared.step.restoreOptimizer(checkpoint.optimizer);
  // A data-parallel run may continue on another number of ranks: renumber its pass boundary.
  const state = checkpoint.state.pipeline as PipelineState;
  await prepared.feed.setState(atEpochStart(state, prepared.feed.plan, checkpoint.state.nextEpoch));
}

/**
 * Trains into `target.dir`: resumes from its checkpoint when there is one, checkpoints after
 * every epoch, then saves the model, history and curves and marks the run complete.
 */
export async function executeRun(
  config: TrainConfig,
  prepared: Prepared,
  target: RunTarget,
  /** The run's inputs, for its checkpoints; null on the ranks that do not write (rank > 0). */
  inputs: Inputs | null,
  io: TrainIo,
  /** Aborted by SIGINT/SIGTERM: training stops at the next step with the signal's reason. */
  signal?: AbortSignal,
): Promise<EpochRecord[]> {
  const { dir } = target;
  const { model, feed, data, metricNames, validationNames, step } = prepared;
  const pipeline = feed;
  let history: EpochRecord[] = [];
  let startEpoch = pipeline.plan.initialEpoch;
  const { checkpoint } = target;
  const keepBest = config.restoreBest === true;
  let best: KeptEpoch | null = null;
  // The last validation's full report (confusion matrix included), for metrics.json.
  let lastReport = checkpoint?.state.validation ?? null;
  if (checkpoint) {
    if (checkpoint.state.backend !== prepared.backend) {
      io.stderr.write(
        `warning: the run trained on the ${checkpoint.state.backend} backend and continues on ${prepared.backend}; results will differ slightly from an uninterrupted run\n`,
      );
    }
    await restore(prepared, checkpoint);
    history = checkpoint.state.history;
    startEpoch = checkpoint.state.nextEpoch;
    const kept = checkpoint.state.best;
    if (keepBest && kept && checkpoint.best)
      best = { epoch: kept.epoch, weights: checkpoint.best, report: kept.report };
    io.stdout.write(
      `Resuming ${dir} at epoch ${startEpoch + 1}/${pipeline.plan.endEpoch} (step ${checkpoint.state.step})\n`,
    );
  }
  const { parallel } = prepared;
  // In a data-parallel run rank 0 alone writes the run folder (and the manifest of its rows).
  const writer = parallel === null || parallel.rank === 0;
  const toTensors = (batch: Parameters<typeof batchToTensors>[0]) =>
    batchToTensors(parallel ? withoutPadding(batch) : batch, { task: data.task });
  const manifest = writer
    ? await openRunManifest(config.manifest, pipeline, checkpoint?.state.step ?? null).catch(
        async (error: unknown) => {
          await feed.close();
          throw error;
        },
      )
    : null;
  const { phases } = prepared;
  const loopStart = phases.now();
  const loopRecorded = phases.total();
  let firstBatchAt: number | null = null;
  const epochBatches = (epoch: number) => {
    const batches = manifest ? recorded(feed.epoch(epoch), manifest) : feed.epoch(epoch);
    if (firstBatchAt !== null) return batches;
    return onFirstItem(batches, () => {
      firstBatchAt ??= phases.now();
    });
  };
  const trainStep: Parameters<typeof trainLoop>[0]["train"] = parallel
    ? dataParallelStep(step, parallel.collective, weightSizes(model), metricNames.length + 1, parallel.clock)
    : (xs, ys) => step.train(xs, ys);
  let stepped = false;
  // The first step (with its warm-up) is timed apart; later steps go straight to `trainStep`.
  const timedStep: typeof trainStep = async (xs, ys) => {
    if (stepped) return trainStep(xs, ys);
    const result = await trainStep(xs, ys);
    stepped = true;
    phases.add("firstBatch", (firstBatchAt ?? loopStart) - loopStart);
    phases.add("firstStep", phases.now() - (firstBatchAt ?? loopStart));
    phases.firstStepDone();
    return result;
  };
  // The feed may hold a worker thread and open files: released however training ends.
  let outcome: { finished: boolean; stoppedEarly: boolean } | undefined;
  const monitorValidation = pipeline.plan.validationBatchSize !== null;
  const result = await trainLoop({
    model,
    metricNames,
    newMetrics: prepared.newMetrics,
    keepBest,
    best,
    plan: pipeline.plan,
    data: {
      epoch: epochBatches,
      validation: (epoch) => timedIteration(pipeline.validation(epoch), phases, "validation"),
    },
    toTensors,
    train: timedStep,
    ...(parallel
      ? {
          evaluate: (epoch: number) =>
            dataParallelEvaluate(
              parallel.collective,
              timedIteration(pipeline.validation(epoch), phases, "validation"),
              async (batches) =>
                (await evaluateBatches(model, batches, toTensors, prepared.newMetrics())).metrics,
              prepared.newMetrics,
            ),
        }
      : {}),
    startEpoch,
    history,
    ...(signal ? { signal } : {}),
    ...(config.earlyStoppingPatience !== undefined ? { patience: config.earlyStoppingPatience } : {}),
    progress: progressFor(io.stdout),
    async onEpochEnd(record, all, report, kept) {
      if (report) lastReport = report;
      if (!writer || !inputs) return;
      const checkpointStart = phases.now();
      const state = feed.getState();
      const [weights, optimizer] = [await captureModelWeights(model), await step.captureOptimizer()];
      await writeCheckpoint(dir, {
        state: {
          version: 2,
          nextEpoch: record.epoch + 1,
          step: state.step,
          pipeline: state,
          history: all,
          configHash: inputs.configHash,
          dataFingerprint: inputs.data,
          backend: prepared.backend,
          model: { specs: [] },
          optimizer: { className: step.optimizerClassName, specs: [] },
          earlyStopping: earlyStoppingState(all, monitorValidation),
          best: kept ? { epoch: kept.epoch, report: kept.report, specs: [] } : null,
          validation: lastReport,
        },
        model: weights,
        optimizer,
        best: kept?.weights ?? null,
      });
      await writeFileAtomic(join(dir, RUN_FILES.history), formatHistory(all, metricNames, validationNames));
      phases.add("checkpoints", phases.now() - checkpointStart);
    },
  })
    .then((done) => {
      outcome = { finished: true, stoppedEarly: done.stoppedEarly };
      return done;
    })
    .finally(async () => {
      // The manifest's end record tells a finished run from one that failed (no outcome).
      await manifest?.close(outcome);
      await feed.close();
      // What the loop's time holds besides the phases timed inside it: every later step.
      phases.add("training", phases.now() - loopStart - (phases.total() - loopRecorded));
    });
  if (result.stoppedEarly)
    io.stdout.write(`Early stopping: no improvement for ${config.earlyStoppingPatience} epochs\n`);
  // Restore-best: the model saved is the best epoch's (every rank restores, so all agree).
  const kept = keepBest ? result.best : null;
  if (kept) restoreModelWeights(model, kept.weights);
  if (!writer) {
    io.stdout.write(`Rank ${parallel?.rank} done; rank 0 writes the run folder\n`);
    return result.history;
  }
  const saveStart = phases.now();
  await finishRun({
    config,
    dir,
    model,
    data,
    metricNames,
    validationNames,
    result,
    kept,
    lastReport,
    endEpoch: pipeline.plan.endEpoch,
    io,
  });
  phases.add("save", phases.now() - saveStart);
  io.stdout.write(`Run folder: ${dir}\n`);
  return result.history;
}

/** The run files a resume reads and trusts, covered by the run folder's checksums.json. */
export const RESUME_FILES = [RUN_FILES.config, RUN_FILES.schema, RUN_FILES.fingerprint] as const;

/**
 * Writes the files a run starts with: config, plan, schema, inputs, the checksums of those a
 * resume reads (`RESUME_FILES`), and the `running` status.
 */
export async function writeRunStart(
  dir: string,
  savedConfig: unknown,
  prepared: Prepared,
  inputs: Inputs,
): Promise<void> {
  const texts = {
    [RUN_FILES.config]: jsonText(savedConfig),
    [RUN_FILES.schema]: jsonText(prepared.data.schemaJson),
    [RUN_FILES.fingerprint]: jsonText(inputs),
  };
  for (const [name, text] of Object.entries(texts))
    await writeFileAtomic(join(dir, name), text, { sync: true });
  await writeJson(join(dir, RUN_FILES.plan), prepared.feed.plan);
  await writeChecksums(dir, texts);
  await writeStatus(dir, { status: "running" });
}
