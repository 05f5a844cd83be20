// Runs inside a worker thread: builds a source from a serializable spec and streams its passes
// to the parent in chunks, in shared memory the parent hands back (see worker-source.ts).
import { parentPort, workerData } from "node:worker_threads";
import type { Sample, SampleChunk, SampleSource, WorkerSourceSpec } from "../types.ts";
import { isChunkedSource } from "./chunk.ts";
import { packProvenance, packRows } from "./rows-pack.ts";
import { Credits } from "./worker-credits.ts";
import { serializeError } from "./worker-errors.ts";
import type { FromSourceWorker, ToSourceWorker } from "./worker-protocol.ts";

const port = parentPort;
if (port === null) throw new Error("worker-source-entry.ts must run in a worker thread");

const post = (message: FromSourceWorker) => port.postMessage(message);

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

/**
 * Shared memory chunks are copied into, in slots the consumer releases when it is done with a
 * chunk, so that a pass reuses a few buffers instead of allocating per chunk. Shared rather than
 * transferred: transferring detaches an ArrayBuffer, and once any has been detached V8 checks
 * every typed-array access for detachment, in the parsing loops here and the shuffle there
 * (measured: 6% of the line encoder's speed, up to a fifth of the shuffle's).
 */
class Slot {
  private readonly buffers: SharedArrayBuffer[] = [];
  private next = 0;

  /** Starts filling the slot again: `allocate` hands out its buffers in the same order. */
  reset(): void {
    this.next = 0;
  }

  /** The slot's next buffer, grown to at least `bytes`. */
  readonly allocate = (bytes: number): SharedArrayBuffer => {
    const k = this.next++;
    let buffer = this.buffers[k];
    if (buffer === undefined || buffer.byteLength < bytes) {
      buffer = new SharedArrayBuffer(Math.ceil(bytes * 1.25) + 64);
      this.buffers[k] = buffer;
    }
    return buffer;
  };
}

const slots: Slot[] = [];
const freeSlots: number[] = [];

function takeSlot(): number {
  const free = freeSlots.pop();
  if (free !== undefined) return free;
  slots.push(new Slot());
  return slots.length - 1;
}

const jobs = new Map<number, Credits>();

async function pass(source: SampleSource, id: number, credits: number): Promise<void> {
  const job = new Credits(credits);
  jobs.set(id, job);
  const chunks = isChunkedSource(source) ? source.chunks() : chunksOf(source.stream(), source.numFeatures);
  const iterator = chunks[Symbol.asyncIterator]();
  try {
    for (;;) {
      if (!(await job.take())) {
        await iterator.return?.();
        break;
      }
      const result = await iterator.next();
      if (result.done) break;
      const chunk = result.value;
      if (chunk.numSamples === 0) {
        job.grant(1); // nothing was sent for it
        continue;
      }
      // Copies of the used part: the producer may reuse its arrays.
      const n = chunk.numSamples;
      const size = n * chunk.numFeatures;
      const slot = takeSlot();
      const memory = slots[slot] as Slot;
      memory.reset();
      const features = new Float32Array(memory.allocate(4 * size), 0, size);
      features.set(chunk.features.subarray(0, size));
      const labels = new Float64Array(memory.allocate(8 * n), 0, n);
      labels.set(chunk.labels.subarray(0, n));
      const oneFile = chunk.provenance !== undefined;
      const rows =
        chunk.provenance !== undefined
          ? packProvenance(chunk.provenance, n, memory.allocate)
          : packRows(chunk.rows.length === n ? chunk.rows : chunk.rows.slice(0, n), memory.allocate);
      post({
        type: "chunk",
        id,
        chunk: { numSamples: n, numFeatures: chunk.numFeatures, features, labels, rows, oneFile, slot },
      });
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
          freeSlots.push(...message.slots);
          job?.grant(message.count);
          return;
        case "release":
          freeSlots.push(...message.slots);
          return;
        case "cancel":
          if (job) job.cancel();
          else post({ type: "end", id: message.id });
          return;
        case "close":
          for (const open of jobs.values()) open.cancel();
          port?.close();
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
