import { isDeepStrictEqual } from "node:util";
import { locateStep } from "@stepwise/core";
import type { WorkerSourceSpec } from "../types.ts";
import { AUTO_WORKER_MIN_SAMPLES, type Pipeline, type PipelineOptions } from "./api.ts";
import { PipelineError } from "./errors.ts";
import { requestedLoader } from "./loader.ts";
import { createMainPipeline } from "./main-pipeline.ts";
import { createWorkerPipeline } from "./worker.ts";

/**
 * Builds a pipeline: resolves the shuffle, counts the data when cheap, plans the run, and picks
 * where batches are made (`loader`, default `auto`: a worker thread for a source a worker can
 * build, such as CSV files, of at least `AUTO_WORKER_MIN_SAMPLES` samples per pass; else this
 * thread). Either way the pipeline has the same plan, batches and states; with a worker, the
 * plan, validation runs and states stay on this thread and a training stream of unknown length is
 * counted first (`auto` takes the worker only for a known length). Throws `PlanError` (from core) for bad plan arguments and `PipelineError` for the rest,
 * including `loader: "worker"` with a source that cannot cross threads (in-memory arrays, generators).
 * @example
 * const p = await createPipeline({ source: csvSource({ paths: "train.csv", schema }), batchSize: 32, seed: 7, stepsPerEpoch: 100, epochs: 5 });
 * try {
 *   for (let e = p.plan.initialEpoch; e < p.plan.endEpoch; e++) for await (const batch of p.epoch(e)) train(batch);
 * } finally { await p.close(); }
 */
export async function createPipeline(options: PipelineOptions): Promise<Pipeline> {
  const loader = requestedLoader(options);
  const spec = options.worker?.source ?? options.source.workerSpec ?? null;
  if (loader === "main" || (loader === "auto" && spec === null)) return createMainPipeline(options);
  if (spec === null) {
    throw new PipelineError(
      'loader "worker" needs a source a worker thread can build (CSV files, or worker.source): in-memory arrays and generators cannot cross threads; use loader "main" or "auto"',
    );
  }
  // The plan, validation and states are this thread's. The worker loader counts a stream of unknown
  // length first (as a sharded stream is): the consumer's states then never wait for a pass end.
  const local = await createMainPipeline(options, { countFirst: loader === "worker" });
  if (loader === "auto" && (local.numSamples === null || local.numSamples < AUTO_WORKER_MIN_SAMPLES)) {
    return local;
  }
  try {
    return await onWorker(local, options, spec);
  } catch (error) {
    await local.close();
    throw error;
  }
}

/**
 * The pipeline whose batches a worker thread makes: `local` (which never reads data) gives the
 * plan, validation, and the states at the consumer's position, which the worker's read-ahead
 * does not move; the worker runs the same pipeline over the source `spec` builds there.
 */
async function onWorker(
  local: Pipeline,
  options: PipelineOptions,
  spec: WorkerSourceSpec,
): Promise<Pipeline> {
  const {
    source: _source,
    validation: _validation,
    state,
    loader: _loader,
    worker: settings,
    ...rest
  } = options;
  const worker = await createWorkerPipeline(
    { source: spec, options: { ...rest, seed: local.seed, count: "always" }, ...(state ? { state } : {}) },
    {
      ...(settings?.bufferSize !== undefined ? { bufferSize: settings.bufferSize } : {}),
      ...(settings?.execArgv !== undefined ? { execArgv: settings.execArgv } : {}),
    },
  );
  // The same settings over the same data give the same state (it holds the shuffle, the numbers of
  // samples and features, or the plan hash): a worker source that differs fails here, not later.
  const remote = await worker.getState();
  if (!isDeepStrictEqual(remote, local.getState())) {
    await worker.close();
    const counts =
      worker.numSamples !== local.numSamples
        ? ` (${worker.numSamples} samples per pass there, ${local.numSamples} here)`
        : "";
    throw new PipelineError(
      `the worker thread's pipeline differs from this thread's${counts}: worker.source must build the same data as source`,
    );
  }
  return {
    loader: "worker",
    get plan() {
      return local.plan;
    },
    get seed() {
      return local.seed;
    },
    get numSamples() {
      return local.numSamples;
    },
    get warnings() {
      return local.warnings;
    },
    get position() {
      const last = worker.lastStep;
      if (last === null) return local.position;
      const { epoch, stepInEpoch } = locateStep(local.plan, last + 1);
      return { step: last + 1, epoch, stepInEpoch };
    },
    epoch: (epoch) => worker.epoch(epoch),
    batches: () => worker.batches(),
    validation: (epoch) => local.validation(epoch),
    getState() {
      const last = worker.lastStep;
      return last === null ? local.getState() : local.stateAfter({ step: last });
    },
    stateAfter: (batch) => local.stateAfter(batch),
    async setState(next) {
      await local.setState(next); // checked here first: a bad state fails with this thread's error
      await worker.setState(next);
    },
    async close() {
      await worker.close();
      await local.close();
    },
  };
}
