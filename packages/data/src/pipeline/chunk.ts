/**
 * Samples in chunks: many rows per step instead of one. Every hop of an async iterator costs
 * about as much as parsing a short numeric row, so the fast path of a stream pass (read, count,
 * shuffle, shard, batch) moves chunks of rows in typed arrays and awaits once per chunk. A
 * chunked stream holds exactly the samples of the per-sample stream, in the same order.
 */
import type { ChunkedSource, RowRef, Sample, SampleChunk, SampleSource } from "../types.ts";

/** Samples that can also be read in chunks: what a stream pass of a chunked source gives. */
export interface ChunkedSamples extends AsyncIterable<Sample> {
  chunks(): AsyncIterable<SampleChunk>;
}

/** Whether `source` can read its passes in chunks (`chunks()`), as CSV sources and worker sources can. */
export function isChunkedSource(source: SampleSource): source is ChunkedSource {
  return typeof (source as Partial<ChunkedSource>).chunks === "function";
}

/** Whether a pass's samples can also be read in chunks (a chunked stream pass). */
export function hasChunks(items: object): items is ChunkedSamples {
  return typeof (items as Partial<ChunkedSamples>).chunks === "function";
}

/** An empty chunk with room for `capacity` samples; `numSamples` counts those written. */
export function allocateChunk(capacity: number, numFeatures: number): SampleChunk {
  return {
    numSamples: 0,
    numFeatures,
    features: new Float32Array(capacity * numFeatures),
    labels: new Float64Array(capacity),
    rows: [],
  };
}

/** The first `count` samples of `chunk`, sharing its memory. */
export function headOf(chunk: SampleChunk, count: number): SampleChunk {
  if (count >= chunk.numSamples) return chunk;
  return {
    numSamples: count,
    numFeatures: chunk.numFeatures,
    features: chunk.features.subarray(0, count * chunk.numFeatures),
    labels: chunk.labels.subarray(0, count),
    rows: chunk.rows.slice(0, count),
  };
}

/** Sample `i` of a chunk, with its own copy of the features (as a per-sample stream gives them). */
export function sampleAt(chunk: SampleChunk, i: number): Sample {
  const f = chunk.numFeatures;
  return {
    features: chunk.features.slice(i * f, (i + 1) * f),
    label: chunk.labels[i] as number,
    source: chunk.rows[i] as RowRef,
  };
}

/** The samples of a chunk stream one by one. */
export async function* samplesOf(chunks: AsyncIterable<SampleChunk>): AsyncGenerator<Sample> {
  for await (const chunk of chunks) {
    for (let i = 0; i < chunk.numSamples; i++) yield sampleAt(chunk, i);
  }
}

/** Chunked samples: `chunks()` for the fast path, per-sample iteration for everyone else. */
export function chunkedSamples(chunks: () => AsyncIterable<SampleChunk>): ChunkedSamples {
  return {
    chunks,
    [Symbol.asyncIterator]: () => samplesOf(chunks())[Symbol.asyncIterator](),
  };
}
