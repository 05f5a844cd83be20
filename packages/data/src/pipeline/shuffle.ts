import { passSeed } from "@stepwise/core";
import { uniformInt } from "pure-rand/distribution/uniformInt";
import { xoroshiro128plus } from "pure-rand/generator/xoroshiro128plus";
import type { RowRef } from "../types.ts";
import { allocateChunk, type SampleChunk } from "./chunk.ts";
import { integerAtLeast } from "./errors.ts";

export interface BufferShuffleOptions {
  /** Items held at once (K); memory is bounded by K items. 1 keeps the input order. */
  bufferSize: number;
  /** Run seed; the generator is seeded from `passSeed(seed, pass)`, so every pass differs. */
  seed: number;
  pass: number;
}

/**
 * Seeded bounded-buffer shuffle of a stream (the tf.data algorithm): fill K items, then emit a
 * random buffered item for each new one, then drain the buffer in random order. Each item is
 * emitted exactly once; the same (seed, pass) gives the same order. An item moves at most
 * about K positions earlier, so K should be large relative to any ordering in the data.
 * Throws `PipelineError` for a bufferSize below 1.
 */
export async function* bufferShuffle<T>(
  items: AsyncIterable<T> | Iterable<T>,
  options: BufferShuffleOptions,
): AsyncGenerator<T> {
  const bufferSize = integerAtLeast("shuffleBuffer", options.bufferSize, 1);
  const rng = xoroshiro128plus(passSeed(options.seed, options.pass));
  const buffer: T[] = [];
  for await (const item of items) {
    if (buffer.length < bufferSize) {
      buffer.push(item);
      continue;
    }
    const j = uniformInt(rng, 0, bufferSize - 1);
    const out = buffer[j] as T;
    buffer[j] = item;
    yield out;
  }
  while (buffer.length > 0) {
    const j = uniformInt(rng, 0, buffer.length - 1);
    const out = buffer[j] as T;
    buffer[j] = buffer[buffer.length - 1] as T;
    buffer.pop();
    yield out;
  }
}

/** Samples per chunk while the buffer drains at the end of a pass. */
const DRAIN_CHUNK = 4096;

/**
 * `bufferShuffle` over chunks of samples: the same algorithm, the same random draws, hence
 * exactly the same order. The buffer is one Float32Array slab (K × numFeatures) plus labels and
 * provenance, so a buffered sample costs no allocation; each input chunk gives one output chunk
 * of the samples it displaced. Throws `PipelineError` for a bufferSize below 1.
 */
export async function* bufferShuffleChunks(
  chunks: AsyncIterable<SampleChunk>,
  options: BufferShuffleOptions,
): AsyncGenerator<SampleChunk> {
  const bufferSize = integerAtLeast("shuffleBuffer", options.bufferSize, 1);
  const rng = xoroshiro128plus(passSeed(options.seed, options.pass));
  let numFeatures = -1;
  // Grown as it fills, so that a large K over a small pass costs only what the pass holds.
  let slab = new Float32Array(0);
  let labels = new Float64Array(0);
  const rows: RowRef[] = [];
  let length = 0;
  // One output chunk, reused: the consumer is done with it when it asks for the next (see SampleChunk).
  let out = allocateChunk(0, 0);
  for await (const chunk of chunks) {
    const f = chunk.numFeatures;
    if (numFeatures !== f) {
      if (numFeatures !== -1)
        throw new Error(`bufferShuffleChunks: chunks of ${numFeatures} and ${f} features`);
      numFeatures = f;
    }
    const n = chunk.numSamples;
    const src = chunk.features;
    if (out.labels.length < n) out = allocateChunk(n, f);
    out.rows = [];
    const outFeatures = out.features;
    let emitted = 0;
    for (let i = 0; i < n; i++) {
      let slot: number;
      if (length < bufferSize) {
        slot = length++;
        if (slot === labels.length) {
          const capacity = Math.min(bufferSize, Math.max(1024, slot * 2));
          const grown = new Float32Array(capacity * f);
          grown.set(slab);
          slab = grown;
          const grownLabels = new Float64Array(capacity);
          grownLabels.set(labels);
          labels = grownLabels;
        }
      } else {
        slot = uniformInt(rng, 0, bufferSize - 1);
        const from = slot * f;
        const to = emitted * f;
        for (let k = 0; k < f; k++) outFeatures[to + k] = slab[from + k] as number;
        out.labels[emitted] = labels[slot] as number;
        out.rows.push(rows[slot] as RowRef);
        emitted++;
      }
      const from = i * f;
      const to = slot * f;
      for (let k = 0; k < f; k++) slab[to + k] = src[from + k] as number;
      labels[slot] = chunk.labels[i] as number;
      rows[slot] = chunk.rows[i] as RowRef;
    }
    if (emitted > 0) {
      yield {
        numSamples: emitted,
        numFeatures: f,
        features: outFeatures.subarray(0, emitted * f),
        labels: out.labels.subarray(0, emitted),
        rows: out.rows,
      };
    }
  }
  while (length > 0) {
    const out = allocateChunk(Math.min(DRAIN_CHUNK, length), numFeatures);
    let emitted = 0;
    while (length > 0 && emitted < DRAIN_CHUNK) {
      const slot = uniformInt(rng, 0, length - 1);
      const last = length - 1;
      out.features.set(slab.subarray(slot * numFeatures, (slot + 1) * numFeatures), emitted * numFeatures);
      out.labels[emitted] = labels[slot] as number;
      out.rows.push(rows[slot] as RowRef);
      emitted++;
      slab.copyWithin(slot * numFeatures, last * numFeatures, length * numFeatures);
      labels[slot] = labels[last] as number;
      rows[slot] = rows[last] as RowRef;
      rows.length = last;
      length = last;
    }
    out.numSamples = emitted;
    yield out;
  }
}
