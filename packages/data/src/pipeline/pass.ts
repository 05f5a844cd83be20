import { dealLayout, dealPosition, identityPermutation, permutation, shardPosition } from "@stepwise/core";
import { SourceError } from "../sources/errors.ts";
import type { Sample, SampleSource } from "../types.ts";
import { type BlockSource, isBlockSource, readInBlocks } from "./block.ts";
import { isChunkedSource } from "./chunk.ts";
import { chunkedStreamPass } from "./chunk-pass.ts";
import { PipelineError } from "./errors.ts";
import type { PassSamplesOptions, PassStats, ShuffleMode } from "./pass-options.ts";
import { shardSamples } from "./shard.ts";
import { bufferShuffle } from "./shuffle.ts";

function randomAccess(
  source: SampleSource,
): source is SampleSource & { get(i: number): Sample; numSamples: number } {
  return typeof source.get === "function" && source.numSamples !== null;
}

/** The shuffle a source gets by default: `full` for block sources, an exact permutation for other random-access sources, else a buffer. */
export function defaultShuffle(source: SampleSource): ShuffleMode {
  if (isBlockSource(source)) return "full";
  return randomAccess(source) ? "permutation" : "buffer";
}

// Random access needs no reading to position: any (pass, start) is pure arithmetic.
function* permutedPass(
  source: SampleSource & { get(i: number): Sample; numSamples: number },
  options: PassSamplesOptions,
): Generator<Sample> {
  const { numSamples } = source;
  const order =
    options.shuffle === "none"
      ? identityPermutation(numSamples)
      : permutation({ numSamples, seed: options.seed, pass: options.pass });
  const { shard } = options;
  const count = shard ? shard.samplesPerShard : numSamples;
  for (let i = options.start ?? 0; i < count; i++) {
    yield source.get(order.at(shard ? shardPosition(shard, i) : i));
  }
}

// Block reads: the same order as `permutedPass`, fetched through sorted, coalesced reads per block.
function blockPass(source: BlockSource, options: PassSamplesOptions): AsyncIterable<Sample> {
  const { numSamples } = source;
  const order =
    options.shuffle === "none"
      ? identityPermutation(numSamples)
      : permutation({ numSamples, seed: options.seed, pass: options.pass });
  const layout = dealLayout({
    numSamples,
    numShards: options.shard?.numShards ?? 1,
    shardIndex: options.shard?.shardIndex ?? 0,
    policy: options.shard?.policy ?? "pad",
    passOffset: options.passOffset ?? 0,
  });
  return readInBlocks(
    source,
    { start: options.start ?? 0, end: layout.samplesPerShard },
    (i) => order.at(dealPosition(layout, i) % numSamples),
    (i) => dealPosition(layout, i) >= numSamples,
  );
}

async function* counted(
  samples: AsyncIterable<Sample>,
  expected: number | null,
  pass: number,
  stats: PassStats,
): AsyncGenerator<Sample> {
  stats.samplesRead = 0;
  stats.complete = false;
  for await (const sample of samples) {
    stats.samplesRead++;
    if (expected !== null && stats.samplesRead > expected) {
      throw new SourceError(`pass ${pass} yielded more than the source's numSamples ${expected}`);
    }
    yield sample;
  }
  if (stats.samplesRead === 0) throw new SourceError(`pass ${pass} yielded no samples`);
  if (expected !== null && stats.samplesRead !== expected) {
    throw new SourceError(
      `pass ${pass} yielded ${stats.samplesRead} samples, the source declared ${expected}`,
    );
  }
  stats.complete = true;
}

async function* skip<T>(items: AsyncIterable<T>, count: number): AsyncGenerator<T> {
  let skipped = 0;
  for await (const item of items) {
    if (skipped < count) skipped++;
    else yield item;
  }
}

/**
 * The samples of pass `pass` for this rank, in training order, from position `start`:
 * shuffle, then shard, then skip. Random-access sources give a synchronous iterable and reach
 * `start` with no reading; block sources likewise, read block by block (padding rows marked); streams are read from the pass start and the first `start` of this
 * rank's samples (and, when sharded, the other ranks' samples before them) are read and discarded.
 * Throws `PipelineError` for `permutation` on a source without random access, and `SourceError`
 * when a stream's length differs from its declared numSamples.
 */
export function passSamples(
  source: SampleSource,
  options: PassSamplesOptions,
): Iterable<Sample> | AsyncIterable<Sample> {
  if (options.shuffle !== "buffer" && isBlockSource(source)) return blockPass(source, options);
  if (options.shuffle !== "buffer" && randomAccess(source)) return permutedPass(source, options);
  if (options.shuffle === "permutation" || options.shuffle === "full") {
    throw new PipelineError(
      `shuffle "${options.shuffle}" needs a random-access source with a known numSamples; use "buffer"`,
    );
  }
  const expected = options.numSamples ?? options.shard?.numSamples ?? source.numSamples;
  // Chunked sources (CSV files) take the same stages a chunk at a time: see chunk-pass.ts.
  if (isChunkedSource(source)) return chunkedStreamPass(source, options, expected);
  let samples: AsyncIterable<Sample> = counted(
    source.stream(),
    expected,
    options.pass,
    options.stats ?? {
      samplesRead: 0,
      complete: false,
    },
  );
  if (options.shuffle === "buffer") {
    samples = bufferShuffle(samples, {
      bufferSize: options.shuffleBuffer,
      seed: options.seed,
      pass: options.pass,
    });
  }
  if (options.shard) {
    samples = shardSamples(samples, options.shard, (sample) => ({
      ...sample,
      source: { ...sample.source, padding: true },
    }));
  }
  const start = options.start ?? 0;
  return start > 0 ? skip(samples, start) : samples;
}
