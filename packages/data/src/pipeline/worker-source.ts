import { Worker } from "node:worker_threads";
import type { Sample } from "../types.ts";
import { type ChunkedSource, ProvenanceChunk, type SampleChunk, samplesOf } from "./chunk.ts";
import { integerAtLeast } from "./errors.ts";
import { unpackRows } from "./rows-pack.ts";
import { type Listener, openChannel } from "./worker-channel.ts";
import { rebuildError } from "./worker-errors.ts";
import type { FromSourceWorker, PackedChunk, ToSourceWorker, WorkerSourceSpec } from "./worker-protocol.ts";

/** A chunk as the consumer sees it; one file's provenance stays numbers (see `ChunkProvenance`). */
function arrived(packed: PackedChunk): SampleChunk {
  const { numSamples, numFeatures, features, labels, rows } = packed;
  if (!packed.oneFile) return { numSamples, numFeatures, features, labels, rows: unpackRows(rows) };
  const chunk = new ProvenanceChunk(numFeatures, features, labels, {
    file: rows.files[0] ?? null,
    fileIndex: rows.fileIndex[0] ?? 0,
    index: rows.index,
    line: rows.line,
  });
  chunk.numSamples = numSamples;
  return chunk;
}

export interface WorkerSourceOptions {
  /** Chunks (one per chunk of bytes read, for CSV files) the worker may read ahead of the consumer. Default 4. */
  bufferChunks?: number;
  /** Node flags for the worker thread. Default: this process's flags. */
  execArgv?: string[];
}

/** A source read in a worker thread: reading and parsing there, the rest of the pipeline here. */
export interface WorkerSource extends ChunkedSource {
  /** Stops the worker (a pass in progress then fails). */
  close(): Promise<void>;
}

/**
 * Builds the source of `spec` in a worker thread and reads its passes there: a CSV source's
 * reading, splitting and encoding run on another core, while shuffling and batching (a
 * pipeline over this source) run on this thread. Chunks of samples arrive in memory shared
 * with the worker, which fills it again once the consumer is done with a chunk; the samples,
 * their order and a pass's errors (same class, message and DataError fields) are the source's
 * own. Backpressure: at most `bufferChunks` chunks read ahead. Rejects with the worker's error
 * when the source cannot be built.
 * @example
 * const source = await createWorkerSource({ module: "@stepwise/data", export: "csvSource", args: [{ paths, schema }] });
 * const pipeline = await createPipeline({ source, batchSize: 32, seed: 1 });
 */
export async function createWorkerSource(
  spec: WorkerSourceSpec,
  options: WorkerSourceOptions = {},
): Promise<WorkerSource> {
  const bufferChunks = integerAtLeast("bufferChunks", options.bufferChunks ?? 4, 1);
  const worker = new Worker(new URL("./worker-boot.mjs", import.meta.url), {
    workerData: { entry: new URL("./worker-source-entry.ts", import.meta.url).href, spec },
    ...(options.execArgv ? { execArgv: options.execArgv } : {}),
  });
  const channel = openChannel<ToSourceWorker, FromSourceWorker>(worker, "source worker");
  const { track, untrack, send, request } = channel;
  let nextId = 1;

  const ready = (await request(0, null).catch(async (error: unknown) => {
    await worker.terminate();
    throw error;
  })) as Extract<FromSourceWorker, { type: "ready" }>;

  // Chunks' memory the consumer is done with, outside a pass's credits (its end, or a cancel).
  const release = (slots: number[]) => {
    if (slots.length > 0 && !channel.closed) send({ type: "release", id: 0, slots });
  };

  const chunks = (): AsyncIterable<SampleChunk> => ({
    [Symbol.asyncIterator](): AsyncIterator<SampleChunk> {
      const id = nextId++;
      // Provenance stays packed until the chunk is consumed: objects made on arrival would only age in the queue.
      const queue: PackedChunk[] = [];
      let started = false;
      let ended = false;
      let failure: Error | null = null;
      let wake: (() => void) | null = null;
      // The chunk handed out last: its consumer is done with it at the next call (see SampleChunk).
      let lent: PackedChunk | null = null;
      const listener: Listener<FromSourceWorker> = {
        onMessage(message) {
          if (message.type === "chunk") queue.push(message.chunk);
          else {
            ended = true;
            untrack(id);
            if (message.type === "error") failure = rebuildError(message.error);
          }
          wake?.();
        },
        onFailure(error) {
          ended = true;
          failure = error;
          wake?.();
        },
      };
      return {
        async next() {
          if (!started) {
            started = true;
            track(id, listener);
            send({ type: "pass", id, credits: bufferChunks });
          }
          while (queue.length === 0 && !ended) await new Promise<void>((resolve) => (wake = resolve));
          wake = null;
          const packed = queue.shift();
          const done = lent === null ? [] : [lent.slot];
          lent = packed ?? null;
          if (packed) {
            if (!ended) send({ type: "credit", id, count: 1, slots: done });
            else release(done);
            return { value: arrived(packed), done: false };
          }
          release(done);
          if (failure) throw failure;
          return { value: undefined, done: true };
        },
        async return() {
          if (started && !ended && !channel.closed) {
            send({ type: "cancel", id });
            while (!ended) await new Promise<void>((resolve) => (wake = resolve));
          }
          release([...queue.map((chunk) => chunk.slot), ...(lent === null ? [] : [lent.slot])]);
          lent = null;
          queue.length = 0;
          return { value: undefined, done: true };
        },
      };
    },
  });

  worker.unref();
  return {
    numFeatures: ready.numFeatures,
    numSamples: ready.numSamples,
    chunks,
    stream: (): AsyncIterable<Sample> => samplesOf(chunks()),
    ...(ready.counts
      ? {
          async count(): Promise<number> {
            const id = nextId++;
            const reply = await request(id, { type: "count", id });
            return (reply as Extract<FromSourceWorker, { type: "count" }>).value;
          },
        }
      : {}),
    close: () => channel.close(),
  };
}
