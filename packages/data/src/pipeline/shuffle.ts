import { passSeed } from "@stepwise/core";
import { uniformInt } from "pure-rand/distribution/uniformInt";
import { xoroshiro128plus } from "pure-rand/generator/xoroshiro128plus";
import { rowOf } from "../provenance.ts";
import type { ChunkProvenance, RowRef, SampleChunk } from "../types.ts";
import { allocateChunk } from "./chunk.ts";
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

type Generator = ReturnType<typeof xoroshiro128plus>;

/** The rejection bound of `draw` for `range`: the largest multiple of `range` up to 2^32. */
export function drawBound(range: number): number {
  return range > 2 ? Math.floor(4294967296 / range) * range : 4294967296;
}

/**
 * `uniformInt(rng, 0, range - 1)` of pure-rand, the same draws from the same generator, for
 * `range` up to 2^32 with its bound precomputed (`drawBound`). The library computes the bound
 * per call and takes a floating-point modulo: about 15% of the shuffle's time per sample
 * (measured). The arithmetic is exact: `u < 2^32`, so the floor of the quotient is exact.
 */
export function draw(rng: Generator, range: number, bound: number): number {
  let u = rng.next() + 2147483648;
  while (u >= bound) u = rng.next() + 2147483648;
  return u - Math.floor(u / range) * range;
}

/** Samples per chunk while the buffer drains at the end of a pass. */
const DRAIN_CHUNK = 4096;

/** Where provenance given as numbers comes from (see `ChunkProvenance`). */
interface Origin {
  file: string | null;
  fileIndex: number;
}

/**
 * The buffer of `bufferShuffleChunks`: one Float32Array slab (K × numFeatures) plus labels and
 * provenance. Provenance given as numbers (`SampleChunk.provenance`) stays numbers here, and a
 * RowRef is made when its sample leaves: no object per row lives in the buffer, where it would
 * outlive a young-generation collection (measured: about 8% of the consumer's time with a parse
 * worker, in allocation, write barriers and garbage collection).
 */
class ChunkShuffleBuffer {
  // Grown as it fills, so that a large K over a small pass costs only what the pass holds.
  slab = new Float32Array(0);
  labels = new Float64Array(0);
  /** Per slot: the RowRef (slots filled from `rows`), or the numbers and an `origins` entry (-1: none). */
  readonly rows: RowRef[] = [];
  index = new Float64Array(0);
  line = new Float64Array(0);
  origin = new Int32Array(0);
  private readonly origins: Origin[] = [];
  private readonly originKeys = new Map<string, number>();
  length = 0;
  /** `draw`'s rejection bound for `bufferSize`. */
  private readonly maxAllowed: number;

  constructor(
    readonly bufferSize: number,
    readonly numFeatures: number,
    private readonly rng: Generator,
  ) {
    this.maxAllowed = drawBound(bufferSize);
  }

  /** The `origins` entry of a chunk with provenance as numbers, or -1. */
  private originOf(chunk: SampleChunk): number {
    const provenance = chunk.provenance;
    if (provenance === undefined) return -1;
    const { file, fileIndex } = provenance;
    const key = file === null ? `${fileIndex}` : `${fileIndex}:${file}`;
    let found = this.originKeys.get(key);
    if (found === undefined) {
      found = this.origins.push({ file, fileIndex }) - 1;
      this.originKeys.set(key, found);
    }
    return found;
  }

  /** The RowRef of the sample in `slot`. */
  private rowAt(slot: number): RowRef {
    const o = this.origin[slot] as number;
    if (o < 0) return this.rows[slot] as RowRef;
    const { file, fileIndex } = this.origins[o] as Origin;
    return rowOf(this.index[slot] as number, file, fileIndex, this.line[slot] as number);
  }

  private grow(capacity: number): void {
    const f = this.numFeatures;
    const grow = <T extends Float32Array | Float64Array | Int32Array>(from: T, to: T): T => {
      to.set(from);
      return to;
    };
    this.slab = grow(this.slab, new Float32Array(capacity * f));
    this.labels = grow(this.labels, new Float64Array(capacity));
    this.index = grow(this.index, new Float64Array(capacity));
    this.line = grow(this.line, new Float64Array(capacity));
    this.origin = grow(this.origin, new Int32Array(capacity));
  }

  /** Takes `chunk`'s samples in, writing those they displace to `out` (room for them); returns how many. */
  take(chunk: SampleChunk, outFeatures: Float32Array, outLabels: Float64Array, outRows: RowRef[]): number {
    const { bufferSize, rng, rows, maxAllowed, origins } = this;
    const f = this.numFeatures;
    const n = chunk.numSamples;
    const src = chunk.features;
    const srcLabels = chunk.labels;
    const from = this.originOf(chunk);
    const srcRows = from < 0 ? chunk.rows : null;
    const srcIndex = chunk.provenance?.index ?? null;
    const srcLine = chunk.provenance?.line ?? null;
    let i = 0;
    // Filling: every sample goes to the next free slot.
    for (; i < n && this.length < bufferSize; i++) {
      const slot = this.length++;
      if (slot === this.labels.length) this.grow(Math.min(bufferSize, Math.max(1024, slot * 2)));
      this.put(slot, chunk, i, from);
    }
    // Full: each sample displaces a random one (the arrays no longer grow, so locals hold them).
    const { slab, labels, index, line, origin } = this;
    let emitted = 0;
    for (; i < n; i++) {
      const slot = draw(rng, bufferSize, maxAllowed);
      const at = slot * f;
      const to = emitted * f;
      for (let k = 0; k < f; k++) outFeatures[to + k] = slab[at + k] as number;
      outLabels[emitted] = labels[slot] as number;
      const o = origin[slot] as number;
      if (o < 0) outRows[emitted] = rows[slot] as RowRef;
      else {
        const { file, fileIndex } = origins[o] as Origin;
        outRows[emitted] = rowOf(index[slot] as number, file, fileIndex, line[slot] as number);
      }
      emitted++;
      const next = i * f;
      for (let k = 0; k < f; k++) slab[at + k] = src[next + k] as number;
      labels[slot] = srcLabels[i] as number;
      origin[slot] = from;
      if (srcRows !== null) rows[slot] = srcRows[i] as RowRef;
      else {
        index[slot] = (srcIndex as Float64Array)[i] as number;
        line[slot] = (srcLine as Float64Array)[i] as number;
      }
    }
    return emitted;
  }

  /** Puts sample `i` of `chunk` (with origin `from`, see `originOf`) in `slot`. */
  private put(slot: number, chunk: SampleChunk, i: number, from: number): void {
    const f = this.numFeatures;
    this.slab.set(chunk.features.subarray(i * f, (i + 1) * f), slot * f);
    this.labels[slot] = chunk.labels[i] as number;
    this.origin[slot] = from;
    if (from < 0) this.rows[slot] = chunk.rows[i] as RowRef;
    else {
      this.index[slot] = (chunk.provenance as ChunkProvenance).index[i] as number;
      this.line[slot] = (chunk.provenance as ChunkProvenance).line[i] as number;
    }
  }

  /** Moves up to `max` random buffered samples to `out`, as the draining phase of `bufferShuffle`. */
  drain(out: SampleChunk, max: number): void {
    const { rng, rows, slab, labels, index, line, origin } = this;
    const f = this.numFeatures;
    const outFeatures = out.features;
    const outLabels = out.labels;
    const outRows = out.rows;
    let emitted = 0;
    while (this.length > 0 && emitted < max) {
      const length = this.length;
      const slot = uniformInt(rng, 0, length - 1);
      const last = length - 1;
      const at = slot * f;
      const to = emitted * f;
      for (let k = 0; k < f; k++) outFeatures[to + k] = slab[at + k] as number;
      outLabels[emitted] = labels[slot] as number;
      outRows.push(this.rowAt(slot));
      emitted++;
      slab.copyWithin(at, last * f, length * f);
      labels[slot] = labels[last] as number;
      rows[slot] = rows[last] as RowRef;
      rows.length = Math.min(rows.length, last);
      index[slot] = index[last] as number;
      line[slot] = line[last] as number;
      origin[slot] = origin[last] as number;
      this.length = last;
    }
    out.numSamples = emitted;
  }
}

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
  let buffer: ChunkShuffleBuffer | null = null;
  // One output chunk, reused: the consumer is done with it when it asks for the next (see SampleChunk).
  let out = allocateChunk(0, 0);
  for await (const chunk of chunks) {
    const f = chunk.numFeatures;
    buffer ??= new ChunkShuffleBuffer(bufferSize, f, rng);
    if (buffer.numFeatures !== f) {
      throw new Error(`bufferShuffleChunks: chunks of ${buffer.numFeatures} and ${f} features`);
    }
    const n = chunk.numSamples;
    if (out.labels.length < n) out = allocateChunk(n, f);
    // Exactly the samples this chunk displaces: one per sample beyond a full buffer.
    const rows: RowRef[] = new Array(Math.max(0, Math.min(n, buffer.length + n - bufferSize)));
    const emitted = buffer.take(chunk, out.features, out.labels, rows);
    if (emitted > 0) {
      yield {
        numSamples: emitted,
        numFeatures: f,
        features: out.features.subarray(0, emitted * f),
        labels: out.labels.subarray(0, emitted),
        rows,
      };
    }
  }
  while (buffer !== null && buffer.length > 0) {
    const drained = allocateChunk(Math.min(DRAIN_CHUNK, buffer.length), buffer.numFeatures);
    buffer.drain(drained, DRAIN_CHUNK);
    yield drained;
  }
}
