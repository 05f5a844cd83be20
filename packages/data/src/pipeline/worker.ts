import { Worker } from "node:worker_threads";
import type { Plan } from "@stepwise/core";
import type { Batch } from "../types.ts";
import type { PipelinePosition } from "./api.ts";
import { integerAtLeast } from "./errors.ts";
import { unpackRows } from "./rows-pack.ts";
import type { PipelineState } from "./state.ts";
import { openChannel, streamInbox } from "./worker-channel.ts";
import type { FromWorker, PipelineInfo, ToWorker, WorkerPipelineSpec } from "./worker-protocol.ts";
import { workerStart } from "./worker-url.ts";

export interface WorkerPipelineOptions {
  /**
   * Batches the worker may produce ahead of the consumer (credit window); they travel in
   * messages of up to a quarter of it (at most 64). Default: as many as fit in 16 MiB, from 4 to 4096.
   */
  bufferSize?: number;
  /** Node flags for the worker thread. Default: this process's flags. */
  execArgv?: string[];
}

/** A pipeline running in a worker thread (source reading, parsing, shuffling, batching off this thread). */
export interface WorkerPipeline {
  readonly plan: Plan;
  readonly seed: number;
  readonly numSamples: number | null;
  readonly warnings: string[];
  readonly position: PipelinePosition;
  /** Exactly the planned steps of `epoch`, produced up to `bufferSize` batches ahead. */
  epoch(epoch: number): AsyncIterable<Batch>;
  batches(): AsyncIterable<Batch>;
  /** The worker's state at its cursor: it has read ahead, so prefer `stateAfter(lastConsumedBatch)` mid-epoch. */
  getState(): Promise<PipelineState>;
  stateAfter(batch: Pick<Batch, "step">): Promise<PipelineState>;
  setState(state: PipelineState): Promise<void>;
  /** Step of the last batch handed to the consumer since the start or the last `setState`, else null. */
  readonly lastStep: number | null;
  /** Stops the worker. */
  close(): Promise<void>;
}

/** Bytes of batches the worker may hold ahead by default. */
const DEFAULT_WINDOW_BYTES = 16 * 2 ** 20;
/**
 * Most batches ahead by default. Small batches of a fast model go quickly (32 rows of a small
 * MLP: ~0.3 ms a step), and the worker has moments of synchronous work (a full shuffle
 * preparing its next block: positions and sorted offsets of up to a few hundred thousand rows,
 * a few hundred ms); 4096 such batches cover about a second.
 */
const MAX_WINDOW_BATCHES = 4096;
/** Most batches per message: receiving a message is work on the consumer's thread, in one piece. */
const MAX_GROUP_BATCHES = 64;

/**
 * Starts a worker thread that builds the source from `spec.source` and runs the pipeline there;
 * batches arrive with their Float32Array buffers transferred (no copy). Backpressure: the worker
 * produces at most `bufferSize` batches beyond those consumed. Rejects with the worker's error
 * (same class for DataError, PipelineError, SourceError and PlanError) when the source or plan is invalid.
 * @example
 * const p = await createWorkerPipeline({ source: { module: "@stepwise/data", export: "csvSource", args: [{ path }] },
 *   options: { batchSize: 32, seed: 1 } });
 * try { for await (const batch of p.epoch(0)) train(batch); } finally { await p.close(); }
 */
export async function createWorkerPipeline(
  spec: WorkerPipelineSpec,
  options: WorkerPipelineOptions = {},
): Promise<WorkerPipeline> {
  if (options.bufferSize !== undefined) integerAtLeast("bufferSize", options.bufferSize, 1);
  const worker = new Worker(workerStart("worker-entry").url, {
    workerData: spec,
    ...(options.execArgv ? { execArgv: options.execArgv } : {}),
  });
  // Registered before the channel's router, so every reply's listener sees the info it carries.
  let info: PipelineInfo | null = null;
  worker.on("message", (message: FromWorker) => {
    if ("info" in message) info = message.info;
  });
  const channel = openChannel<ToWorker, FromWorker>(worker, "pipeline worker");
  const { send, request } = channel;
  let nextId = 1;

  await request(0, null);
  const { plan, numFeatures } = info as unknown as PipelineInfo;
  const batchBytes = 4 * plan.batchSize * (numFeatures + 1);
  const bufferSize =
    options.bufferSize ??
    Math.min(MAX_WINDOW_BATCHES, Math.max(4, Math.floor(DEFAULT_WINDOW_BYTES / batchBytes)));
  const groupSize = Math.max(1, Math.min(MAX_GROUP_BATCHES, Math.floor(bufferSize / 4)));

  let lastStep: number | null = null;
  const stream = (start: (id: number) => ToWorker): AsyncIterable<Batch> => ({
    [Symbol.asyncIterator](): AsyncIterator<Batch> {
      const id = nextId++;
      const inbox = streamInbox<ToWorker, FromWorker, Batch>(channel, id, {
        start: start(id),
        cancel: { type: "cancel", id },
        items: (message) =>
          message.type === "batches"
            ? message.batches.map((packed) => ({ ...packed, rows: unpackRows(packed.rows) }))
            : null,
      });
      // Credits go back in groups too: one message per consumed batch would cost the consumer's thread.
      let consumed = 0;
      return {
        async next() {
          inbox.start();
          if (inbox.queue.length === 0 && consumed > 0 && !inbox.ended) {
            send({ type: "credit", id, count: consumed });
            consumed = 0;
          }
          await inbox.wait();
          const batch = inbox.queue.shift();
          if (batch) {
            lastStep = batch.step;
            if (!inbox.ended && ++consumed >= groupSize) {
              send({ type: "credit", id, count: consumed });
              consumed = 0;
            }
            return { value: batch, done: false };
          }
          if (inbox.failure) throw inbox.failure;
          return { value: undefined, done: true };
        },
        async return() {
          await inbox.cancel();
          inbox.queue.length = 0;
          return { value: undefined, done: true };
        },
      };
    },
  });
  const current = (): PipelineInfo => info as PipelineInfo;
  const state = async (afterStep: number | null): Promise<PipelineState> => {
    const id = nextId++;
    const reply = await request(id, { type: "state", id, afterStep });
    return (reply as { value: PipelineState }).value;
  };
  worker.unref();
  return {
    get plan() {
      return current().plan;
    },
    get seed() {
      return current().seed;
    },
    get numSamples() {
      return current().numSamples;
    },
    get warnings() {
      return current().warnings;
    },
    get position() {
      return current().position;
    },
    epoch: (epoch) => stream((id) => ({ type: "epoch", id, epoch, credits: bufferSize, groupSize })),
    batches: () => stream((id) => ({ type: "batches", id, credits: bufferSize, groupSize })),
    getState: () => state(null),
    stateAfter: (batch) => state(integerAtLeast("batch.step", batch.step, 0)),
    get lastStep() {
      return lastStep;
    },
    async setState(next) {
      const id = nextId++;
      await request(id, { type: "setState", id, state: next });
      lastStep = null;
    },
    close: () => channel.close(),
  };
}
