// Runs inside a worker thread: builds the source and pipeline from a serializable spec and
// streams batches to the parent, each message's arrays in one transferred buffer.
import { parentPort, workerData } from "node:worker_threads";
import type { Batch, SampleSource } from "../types.ts";
import type { Pipeline } from "./api.ts";
import { createMainPipeline } from "./main-pipeline.ts";
import { packIntoOneBuffer, packRows } from "./rows-pack.ts";
import type { PipelineState } from "./state.ts";
import { Credits } from "./worker-credits.ts";
import { serializeError } from "./worker-errors.ts";
import type {
  FromWorker,
  PackedBatch,
  PipelineInfo,
  ToWorker,
  WorkerPipelineSpec,
} from "./worker-protocol.ts";

const port = parentPort;
if (port === null) throw new Error("worker-entry.ts must run in a worker thread");

const post = (message: FromWorker, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);

let numFeatures = 0;

function infoOf(pipeline: Pipeline): PipelineInfo {
  const { plan, seed, numSamples, warnings, position } = pipeline;
  return { plan, numFeatures, seed, numSamples, warnings, position };
}

interface Job {
  id: number;
  credits: Credits;
}

let active: Job | null = null;

/**
 * Sends the batches of one request in groups of up to `groupSize` per message (a message costs
 * tens of microseconds on each side), never more than the credits granted; a partial group goes
 * out whenever production would otherwise wait for credits.
 */
async function run(
  pipeline: Pipeline,
  id: number,
  batches: AsyncIterable<Batch>,
  credits: number,
  groupSize: number,
): Promise<void> {
  active?.credits.cancel();
  const job: Job = { id, credits: new Credits(credits) };
  active = job;
  const iterator = batches[Symbol.asyncIterator]();
  let group: PackedBatch[] = [];
  const flush = () => {
    if (group.length === 0) return;
    post({ type: "batches", id, batches: group }, [packIntoOneBuffer(group)]);
    group = [];
  };
  try {
    for (;;) {
      if (job.credits.exhausted) flush();
      if (!(await job.credits.take())) {
        await iterator.return?.();
        break;
      }
      const result = await iterator.next();
      if (result.done) break;
      const batch = result.value;
      group.push({ ...batch, rows: packRows(batch.rows) });
      if (group.length >= groupSize) flush();
    }
    if (!job.credits.cancelled) flush();
    post({ type: "end", id, info: infoOf(pipeline) });
  } catch (error) {
    flush(); // the batches before the error still arrive, then the error
    post({ type: "error", id, error: serializeError(error) });
  } finally {
    if (active === job) active = null;
  }
}

async function handle(pipeline: Pipeline, message: ToWorker): Promise<void> {
  switch (message.type) {
    case "epoch":
      return run(pipeline, message.id, pipeline.epoch(message.epoch), message.credits, message.groupSize);
    case "batches":
      return run(pipeline, message.id, pipeline.batches(), message.credits, message.groupSize);
    case "credit":
      if (active?.id === message.id) active.credits.grant(message.count);
      return;
    case "cancel":
      if (active?.id === message.id) active.credits.cancel();
      else post({ type: "end", id: message.id, info: infoOf(pipeline) });
      return;
    case "state": {
      const state: PipelineState =
        message.afterStep === null ? pipeline.getState() : pipeline.stateAfter({ step: message.afterStep });
      return post({ type: "result", id: message.id, value: state, info: infoOf(pipeline) });
    }
    case "setState":
      await pipeline.setState(message.state);
      return post({ type: "result", id: message.id, value: null, info: infoOf(pipeline) });
    case "close":
      active?.credits.cancel();
      await pipeline.close();
      port?.close();
      return;
  }
}

async function start(spec: WorkerPipelineSpec): Promise<void> {
  try {
    const module = (await import(spec.source.module)) as Record<string, unknown>;
    const name = spec.source.export ?? "default";
    const make = module[name];
    if (typeof make !== "function") {
      throw new Error(`worker source: ${spec.source.module} has no function export "${name}"`);
    }
    const source = (await make(...(spec.source.args ?? []))) as SampleSource;
    numFeatures = source.numFeatures;
    const pipeline = await createMainPipeline({
      ...spec.options,
      source,
      ...(spec.state ? { state: spec.state } : {}),
    });
    port?.on("message", (message: ToWorker) => {
      handle(pipeline, message).catch((error: unknown) =>
        post({ type: "error", id: message.id, error: serializeError(error) }),
      );
    });
    post({ type: "ready", id: 0, info: infoOf(pipeline) });
  } catch (error) {
    post({ type: "error", id: 0, error: serializeError(error) });
  }
}

void start(workerData as WorkerPipelineSpec);
