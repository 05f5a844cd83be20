import { Worker } from "node:worker_threads";
import { ProvenanceChunk } from "../provenance.ts";
import type { ChunkedSource, Sample, SampleChunk, WorkerSourceSpec } from "../types.ts";
import { samplesOf } from "./chunk.ts";
import { integerAtLeast } from "./errors.ts";
import { unpackRows } from "./rows-pack.ts";
import { openChannel, streamInbox } from "./worker-channel.ts";
import type { FromSourceWorker, PackedChunk, ToSourceWorker } from "./worker-protocol.ts";
import { workerStart } from "./worker-url.ts";

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
  const start = workerStart("worker-source-entry");
  const worker = new Worker(start.url, {
    workerData: { entry: start.entry, spec },
    ...(options.execArgv ? { execArgv: options.execArgv } : {}),
  });
  const channel = openChannel<ToSourceWorker, FromSourceWorker>(worker, "source worker");
  const { send, request } = channel;
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
      const inbox = streamInbox<ToSourceWorker, FromSourceWorker, PackedChunk>(channel, id, {
        start: { type: "pass", id, credits: bufferChunks },
        cancel: { type: "cancel", id },
        items: (message) => (message.type === "chunk" ? [message.chunk] : null),
      });
      // The chunk handed out last: its consumer is done with it at the next call (see SampleChunk).
      let lent: PackedChunk | null = null;
      return {
        async next() {
          inbox.start();
          await inbox.wait();
          const packed = inbox.queue.shift();
          const done = lent === null ? [] : [lent.slot];
          lent = packed ?? null;
          if (packed) {
            if (!inbox.ended) send({ type: "credit", id, count: 1, slots: done });
            else release(done);
            return { value: arrived(packed), done: false };
          }
          release(done);
          if (inbox.failure) throw inbox.failure;
          return { value: undefined, done: true };
        },
        async return() {
          await inbox.cancel();
          release([...inbox.queue.map((chunk) => chunk.slot), ...(lent === null ? [] : [lent.slot])]);
          lent = null;
          inbox.queue.length = 0;
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
