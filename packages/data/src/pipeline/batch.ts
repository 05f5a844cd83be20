import { describeRow, SourceError } from "../sources/errors.ts";
import type { Batch, RowRef, Sample } from "../types.ts";
import { type ChunkedSamples, hasChunks } from "./chunk.ts";
import { integerAtLeast } from "./errors.ts";

/** A batch before it is placed in the run (no step, epoch or pass yet). */
export type BatchData = Pick<Batch, "batchSize" | "numFeatures" | "xs" | "ys" | "rows">;

export interface BatchSamplesOptions {
  batchSize: number;
  numFeatures: number;
  /** Drop the last partial batch instead of yielding it. Default false. */
  dropRemainder?: boolean;
}

function isSyncIterable<T>(items: Iterable<T> | AsyncIterable<T>): items is Iterable<T> {
  return typeof (items as Iterable<T>)[Symbol.iterator] === "function";
}

/**
 * Groups samples into row-major batches: `xs` is `[batchSize * numFeatures]`, `ys` is
 * `[batchSize]`, `rows` the provenance in batch order. The last batch is partial (exactly sized
 * arrays) unless `dropRemainder`. A synchronous iterable (random access) is batched without an
 * await per sample, and chunked samples (a chunked stream pass) a chunk at a time with bulk
 * copies. Throws `SourceError` naming the row for a sample of the wrong width.
 */
export function batchSamples(
  samples: Iterable<Sample> | AsyncIterable<Sample>,
  options: BatchSamplesOptions,
): AsyncGenerator<BatchData> {
  // The chunked generator itself rather than `yield*` to it: delegation costs an extra
  // asynchronous hop per batch.
  return hasChunks(samples) ? batchChunks(samples, options) : batchEach(samples, options);
}

async function* batchEach(
  samples: Iterable<Sample> | AsyncIterable<Sample>,
  options: BatchSamplesOptions,
): AsyncGenerator<BatchData> {
  const batchSize = integerAtLeast("batchSize", options.batchSize, 1);
  const numFeatures = integerAtLeast("numFeatures", options.numFeatures, 1);
  let xs = new Float32Array(batchSize * numFeatures);
  let ys = new Float32Array(batchSize);
  let rows: RowRef[] = [];
  // Returns a full batch when `sample` completes one, else null.
  const add = (sample: Sample): BatchData | null => {
    if (sample.features.length !== numFeatures) {
      throw new SourceError(
        `${describeRow(sample.source)}: expected ${numFeatures} features, got ${sample.features.length}`,
      );
    }
    const k = rows.length;
    xs.set(sample.features, k * numFeatures);
    ys[k] = sample.label;
    rows.push(sample.source);
    if (rows.length < batchSize) return null;
    const full = { batchSize, numFeatures, xs, ys, rows };
    xs = new Float32Array(batchSize * numFeatures);
    ys = new Float32Array(batchSize);
    rows = [];
    return full;
  };
  if (isSyncIterable(samples)) {
    for (const sample of samples) {
      const full = add(sample);
      if (full) yield full;
    }
  } else {
    for await (const sample of samples) {
      const full = add(sample);
      if (full) yield full;
    }
  }
  const n = rows.length;
  if (n > 0 && !options.dropRemainder) {
    yield { batchSize: n, numFeatures, xs: xs.slice(0, n * numFeatures), ys: ys.slice(0, n), rows };
  }
}

/** `batchSamples` over chunks: the same batches, filled by runs of rows instead of sample by sample. */
async function* batchChunks(
  samples: ChunkedSamples,
  options: BatchSamplesOptions,
): AsyncGenerator<BatchData> {
  const batchSize = integerAtLeast("batchSize", options.batchSize, 1);
  const numFeatures = integerAtLeast("numFeatures", options.numFeatures, 1);
  const dropRemainder = options.dropRemainder ?? false;
  const chunks = samples.chunks();
  // Per batch: two typed arrays and a preallocated rows array, filled by index (no push, no growth).
  let xs = new Float32Array(batchSize * numFeatures);
  let ys = new Float32Array(batchSize);
  let rows: RowRef[] = new Array(batchSize);
  let k = 0;
  for await (const chunk of chunks) {
    const n = chunk.numSamples;
    if (n > 0 && chunk.numFeatures !== numFeatures) {
      throw new SourceError(
        `${describeRow(chunk.rows[0] as RowRef)}: expected ${numFeatures} features, got ${chunk.numFeatures}`,
      );
    }
    const { features, labels } = chunk;
    const sourceRows = chunk.rows;
    for (let i = 0; i < n; ) {
      const m = Math.min(batchSize - k, n - i);
      xs.set(features.subarray(i * numFeatures, (i + m) * numFeatures), k * numFeatures);
      for (let j = 0; j < m; j++) {
        ys[k + j] = labels[i + j] as number;
        rows[k + j] = sourceRows[i + j] as RowRef;
      }
      i += m;
      k += m;
      if (k === batchSize) {
        yield { batchSize, numFeatures, xs, ys, rows };
        xs = new Float32Array(batchSize * numFeatures);
        ys = new Float32Array(batchSize);
        rows = new Array(batchSize);
        k = 0;
      }
    }
  }
  if (k > 0 && !dropRemainder) {
    rows.length = k;
    yield { batchSize: k, numFeatures, xs: xs.slice(0, k * numFeatures), ys: ys.slice(0, k), rows };
  }
}
