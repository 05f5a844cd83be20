/**
 * A stream pass over a chunked source: the same stages as the per-sample stream pass in
 * pass.ts (count and check, buffer shuffle, shard, skip to `start`), with the same samples in
 * the same order and the same errors after the same samples, but one await per chunk.
 */
import { type ShardLayout, shardPosition } from "@stepwise/core";
import { SourceError } from "../sources/errors.ts";
import type { ChunkedSource, RowRef, SampleChunk } from "../types.ts";
import { allocateChunk, type ChunkedSamples, chunkedSamples, headOf } from "./chunk.ts";
import type { PassSamplesOptions, PassStats } from "./pass-options.ts";
import { bufferShuffleChunks } from "./shuffle.ts";

/** Counts the samples of a pass into `stats` and checks them against `expected`, as pass.ts's `counted`. */
export async function* countedChunks(
  chunks: AsyncIterable<SampleChunk>,
  expected: number | null,
  pass: number,
  stats: PassStats,
): AsyncGenerator<SampleChunk> {
  stats.samplesRead = 0;
  stats.complete = false;
  for await (const chunk of chunks) {
    if (chunk.numSamples === 0) continue;
    if (expected !== null && stats.samplesRead + chunk.numSamples > expected) {
      // The samples up to the limit still go out, then the one past it fails.
      const room = expected - stats.samplesRead;
      if (room > 0) {
        stats.samplesRead = expected;
        yield headOf(chunk, room);
      }
      stats.samplesRead++;
      throw new SourceError(`pass ${pass} yielded more than the source's numSamples ${expected}`);
    }
    stats.samplesRead += chunk.numSamples;
    yield chunk;
  }
  if (stats.samplesRead === 0) throw new SourceError(`pass ${pass} yielded no samples`);
  if (expected !== null && stats.samplesRead !== expected) {
    throw new SourceError(
      `pass ${pass} yielded ${stats.samplesRead} samples, the source declared ${expected}`,
    );
  }
  stats.complete = true;
}

/** Appends sample `i` of `from` to `to` (which has room). */
function copySample(from: SampleChunk, i: number, to: SampleChunk): void {
  const f = from.numFeatures;
  to.features.set(from.features.subarray(i * f, (i + 1) * f), to.numSamples * f);
  to.labels[to.numSamples] = from.labels[i] as number;
  to.rows.push(from.rows[i] as RowRef);
  to.numSamples++;
}

/** `shardSamples` over chunks: this rank's positions of the pass order, padding from the kept head. */
export async function* shardChunks(
  chunks: AsyncIterable<SampleChunk>,
  layout: ShardLayout,
): AsyncGenerator<SampleChunk> {
  const count = layout.samplesPerShard;
  const keep = layout.paddedSamples > 0 ? Math.min(layout.numShards, layout.numSamples) : 0;
  let head: SampleChunk | null = null;
  let i = 0;
  let position = 0;
  let numFeatures = 0;
  for await (const chunk of chunks) {
    numFeatures = chunk.numFeatures;
    const out = allocateChunk(Math.ceil(chunk.numSamples / layout.numShards) + 1, numFeatures);
    for (let k = 0; k < chunk.numSamples; k++) {
      if (position < keep) {
        head ??= allocateChunk(keep, numFeatures);
        copySample(chunk, k, head);
      }
      if (i < count && shardPosition(layout, i) === position) {
        copySample(chunk, k, out);
        i++;
      }
      position++;
      if (i === count && position >= keep) {
        if (out.numSamples > 0) yield out;
        return;
      }
    }
    if (out.numSamples > 0) yield out;
  }
  // Padding positions wrap past the end of the pass: they index the kept head of the pass.
  const padding = allocateChunk(Math.max(0, count - i), numFeatures);
  for (; i < count; i++) {
    const wrapped = shardPosition(layout, i);
    if (head === null || wrapped >= head.numSamples || wrapped >= position) break;
    copySample(head, wrapped, padding);
    // Marked, so that a manifest counts the repeat as padding rather than as a second visit.
    padding.rows[padding.numSamples - 1] = { ...(head.rows[wrapped] as RowRef), padding: true } as RowRef;
  }
  if (padding.numSamples > 0) yield padding;
}

/** Drops the first `count` samples. */
export async function* skipChunks(
  chunks: AsyncIterable<SampleChunk>,
  count: number,
): AsyncGenerator<SampleChunk> {
  let skipped = 0;
  for await (const chunk of chunks) {
    const drop = Math.min(count - skipped, chunk.numSamples);
    skipped += drop;
    if (drop === 0) yield chunk;
    else if (drop < chunk.numSamples) {
      const f = chunk.numFeatures;
      yield {
        numSamples: chunk.numSamples - drop,
        numFeatures: f,
        features: chunk.features.subarray(drop * f),
        labels: chunk.labels.subarray(drop),
        rows: chunk.rows.slice(drop),
      };
    }
  }
}

/**
 * The stream pass of pass.ts for a chunked source: count (against `expected`), shuffle
 * (`buffer`), shard, skip to `start`. Iterating it per sample gives exactly the per-sample
 * pass; `chunks()` gives the same samples in chunks.
 */
export function chunkedStreamPass(
  source: ChunkedSource,
  options: PassSamplesOptions,
  expected: number | null,
): ChunkedSamples {
  return chunkedSamples(() => {
    let chunks: AsyncIterable<SampleChunk> = countedChunks(
      source.chunks(),
      expected,
      options.pass,
      options.stats ?? { samplesRead: 0, complete: false },
    );
    if (options.shuffle === "buffer") {
      chunks = bufferShuffleChunks(chunks, {
        bufferSize: options.shuffleBuffer,
        seed: options.seed,
        pass: options.pass,
      });
    }
    if (options.shard) chunks = shardChunks(chunks, options.shard);
    const start = options.start ?? 0;
    return start > 0 ? skipChunks(chunks, start) : chunks;
  });
}
