// Runs inside a worker thread: builds a source from a serializable spec and streams its passes
// to the parent in chunks, transferring the arrays (see worker-source.ts).
import { parentPort, workerData } from "node:worker_threads";
import type { Sample, SampleSource } from "../types.ts";
import { isChunkedSource, type SampleChunk } from "./chunk.ts";
import { packRows, rowBuffers } from "./rows-pack.ts";
import { serializeError } from "./worker-errors.ts";
import type { FromSourceWorker, ToSourceWorker, WorkerSourceSpec } from "./worker-protocol.ts";

const port = parentPort;
if (port === null) throw new Error("worker-source-entry.ts must run in a worker thread");

const post = (message: FromSourceWorker, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);

/** Samples of a per-sample stream, grouped into chunks. */
async function* chunksOf(samples: AsyncIterable<Sample>, numFeatures: number): AsyncGenerator<SampleChunk> {
  const size = 1024;
  let chunk: SampleChunk | null = null;
  for await (const sample of samples) {
    chunk ??= {
      numSamples: 0,
      numFeatures,
      features: new Float32Array(size * numFeatures),
      labels: new Float64Array(size),
      rows: [],
    };
    if (sample.features.length !== numFeatures) {
      yield chunk;
      // Sent alone, so that the consumer names this sample when it checks the width.
      yield {
        numSamples: 1,
        numFeatures: sample.features.length,
        features: Float32Array.from(sample.features),
        labels: Float64Array.of(sample.label),
        rows: [sample.source],
      };
      chunk = null;
      continue;
    }
    chunk.features.set(sample.features, chunk.numSamples * numFeatures);
    chunk.labels[chunk.numSamples] = sample.label;
    chunk.rows.push(sample.source);
    if (++chunk.numSamples === size) {
      yield chunk;
      chunk = null;
    }
  }
  if (chunk !== null && chunk.numSamples > 0) yield chunk;
}

interface Job {
  credits: number;
  cancelled: boolean;
  wake: (() => void) | null;
}

/**
 * Memory the consumer sent back: chunks are copied into it instead of into new buffers, so a
 * pass allocates a few buffers instead of one set per chunk (transferred buffers are freed only
 * by garbage collection, which peak RSS and GC time on both threads would pay for).
 */
const spare: ArrayBuffer[] = [];
const MAX_SPARE = 64;

/** The smallest spare buffer of at least `bytes`, or a new one with room to spare. */
function allocate(bytes: number): ArrayBuffer {
  let best = -1;
  for (let i = 0; i < spare.length; i++) {
    const length = (spare[i] as ArrayBuffer).byteLength;
    if (length >= bytes && (best < 0 || length < (spare[best] as ArrayBuffer).byteLength)) best = i;
  }
  if (best < 0) return new ArrayBuffer(Math.ceil(bytes * 1.25) + 64);
  const [buffer] = spare.splice(best, 1);
  return buffer as ArrayBuffer;
}

const jobs = new Map<number, Job>();

async function pass(source: SampleSource, id: number, credits: number): Promise<void> {
  const job: Job = { credits, cancelled: false, wake: null };
  jobs.set(id, job);
  const chunks = isChunkedSource(source) ? source.chunks() : chunksOf(source.stream(), source.numFeatures);
  const iterator = chunks[Symbol.asyncIterator]();
  try {
    for (;;) {
      while (job.credits === 0 && !job.cancelled) {
        await new Promise<void>((resolve) => {
          job.wake = resolve;
        });
      }
      if (job.cancelled) {
        await iterator.return?.();
        break;
      }
      const result = await iterator.next();
      if (result.done) break;
      const chunk = result.value;
      if (chunk.numSamples === 0) continue;
      job.credits--;
      // Copies of the used part: the producer may reuse its arrays, and transferring them would detach them.
      const n = chunk.numSamples;
      const size = n * chunk.numFeatures;
      const features = new Float32Array(allocate(4 * size), 0, size);
      features.set(chunk.features.subarray(0, size));
      const labels = new Float64Array(allocate(8 * n), 0, n);
      labels.set(chunk.labels.subarray(0, n));
      const rows = packRows(chunk.rows.length === n ? chunk.rows : chunk.rows.slice(0, n), allocate);
      post(
        {
          type: "chunk",
          id,
          chunk: { numSamples: n, numFeatures: chunk.numFeatures, features, labels, rows },
        },
        [features.buffer, labels.buffer, ...rowBuffers(rows)],
      );
    }
    post({ type: "end", id });
  } catch (error) {
    post({ type: "error", id, error: serializeError(error) });
  } finally {
    jobs.delete(id);
  }
}

async function start(spec: WorkerSourceSpec): Promise<void> {
  try {
    const module = (await import(spec.module)) as Record<string, unknown>;
    const name = spec.export ?? "default";
    const make = module[name];
    if (typeof make !== "function") {
      throw new Error(`worker source: ${spec.module} has no function export "${name}"`);
    }
    const source = (await make(...(spec.args ?? []))) as SampleSource;
    port?.on("message", (message: ToSourceWorker) => {
      const job = jobs.get(message.id);
      switch (message.type) {
        case "pass":
          void pass(source, message.id, message.credits);
          return;
        case "credit":
          for (const buffer of message.buffers) if (spare.length < MAX_SPARE) spare.push(buffer);
          if (job) {
            job.credits += message.count;
            job.wake?.();
          }
          return;
        case "cancel":
          if (job) {
            job.cancelled = true;
            job.wake?.();
          } else post({ type: "end", id: message.id });
          return;
        case "count":
          (source.count as () => Promise<number>)().then(
            (value) => post({ type: "count", id: message.id, value }),
            (error: unknown) => post({ type: "error", id: message.id, error: serializeError(error) }),
          );
          return;
      }
    });
    const { numFeatures, numSamples } = source;
    post({ type: "ready", id: 0, numFeatures, numSamples, counts: typeof source.count === "function" });
  } catch (error) {
    post({ type: "error", id: 0, error: serializeError(error) });
  }
}

void start((workerData as { spec: WorkerSourceSpec }).spec);
