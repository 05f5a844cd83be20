import type { RowRef, Sample, SampleChunk, SampleSource } from "../types.ts";
// Types only: chunks are plain objects of this shape, so nothing here runs through chunk.ts.
import type { ChunkedSamples } from "./chunk.ts";

/**
 * Samples read together, held compactly in typed arrays (about `4·numFeatures + 28` bytes per
 * sample instead of a few hundred for Sample objects), in the order they were asked for.
 */
export interface SampleBlock {
  readonly length: number;
  readonly numFeatures: number;
  /** Row-major `[length * numFeatures]`; valid until `release`. */
  readonly features: Float32Array;
  /** `[length]`, as `Sample.label`; valid until `release`. */
  readonly labels: Float64Array;
  /** Provenance of sample k. */
  row(k: number): RowRef;
  /** Hands the block's memory back for the next block; the block must not be used afterwards. */
  release?(): void;
}

/**
 * A random-access source that reads many samples at once (e.g. an indexed CSV file: one sorted,
 * coalesced set of positioned reads per block). Full shuffles read it block by block.
 */
export interface BlockSource extends SampleSource {
  readonly numSamples: number;
  /** Samples per `readBlock` call that keep the source within its memory budget (≥ 1). */
  readonly blockSamples: number;
  /** The samples at these 0-based sample indices, in this order (repeats allowed); `indices` is not kept. */
  readBlock(indices: ArrayLike<number>): Promise<SampleBlock>;
}

/** Whether `source` reads samples in blocks (`readBlock` and a known numSamples). */
export function isBlockSource(source: SampleSource): source is BlockSource {
  const s = source as Partial<BlockSource>;
  return (
    typeof s.readBlock === "function" &&
    typeof s.numSamples === "number" &&
    typeof s.blockSamples === "number"
  );
}

/** A row repeated to even out shards; the manifest counts it as padding, not as a second visit. */
export type PaddedRowRef = RowRef & { padding: true };

/** Whether a batch row is a padding repeat (set on rows of block-read passes). */
export function isPadding(row: RowRef): boolean {
  return (row as Partial<PaddedRowRef>).padding === true;
}

/** Sample k of a block, with its own copy of the features. */
export function sampleOf(block: SampleBlock, k: number): Sample {
  const f = block.numFeatures;
  return {
    features: block.features.slice(k * f, (k + 1) * f),
    label: block.labels[k] as number,
    source: block.row(k),
  };
}

/** Samples per chunk handed on: the RowRef objects of a chunk are made at once, so chunks stay small. */
const CHUNK_SAMPLES = 4096;

/**
 * Samples per block of a range's first read: later blocks double up to `blockSamples`. The first
 * batch of a pass then waits for a few thousand rows instead of a whole block (about a second
 * for a million rows), and since reading is several times faster than training consumes, each
 * block is ready before the one before it (half its size) runs out.
 */
export const FIRST_BLOCK_SAMPLES = 4096;

/** Block lengths for `numSamples` positions: from `first`, doubling, at most `blockSamples`. */
export function blockSizes(numSamples: number, blockSamples: number, first = FIRST_BLOCK_SAMPLES): number[] {
  const most = Math.max(1, blockSamples);
  const sizes: number[] = [];
  let size = Math.min(most, Math.max(1, first));
  for (let done = 0; done < numSamples; done += sizes.at(-1) as number) {
    sizes.push(Math.min(size, numSamples - done));
    size = Math.min(most, size * 2);
  }
  return sizes;
}

/**
 * Positions `[start, end)` of a pass in chunks, read through `readBlock` in blocks (see
 * `blockSizes`); `indexAt(i)` is the sample at position i and `padding(i)` whether it is a
 * repeat. The next block is read while the current one is handed on, so memory holds at most two
 * blocks; a block's memory is recycled once the chunk after its last one is asked for.
 */
async function* blockChunks(
  source: BlockSource,
  range: { start: number; end: number },
  indexAt: (i: number) => number,
  padding: (i: number) => boolean,
): AsyncGenerator<SampleChunk> {
  const sizes = blockSizes(range.end - range.start, source.blockSamples);
  // Two index arrays in turn (the block being read and the next): no garbage of block size.
  const spare = [new Float64Array(0), new Float64Array(0)];
  let turn = 0;
  const read = (from: number, count: number): Promise<SampleBlock> => {
    turn = 1 - turn;
    if ((spare[turn] as Float64Array).length < count) spare[turn] = new Float64Array(count);
    const indices = (spare[turn] as Float64Array).subarray(0, count);
    for (let i = 0; i < count; i++) indices[i] = indexAt(from + i);
    return source.readBlock(indices);
  };
  let from = range.start;
  let next: Promise<SampleBlock> | null = sizes.length > 0 ? read(from, sizes[0] as number) : null;
  try {
    for (let b = 0; next !== null; b++) {
      const block = await next;
      const after = from + (sizes[b] as number);
      next = b + 1 < sizes.length ? read(after, sizes[b + 1] as number) : null;
      const f = block.numFeatures;
      for (let k = 0; k < block.length; k += CHUNK_SAMPLES) {
        const end = Math.min(block.length, k + CHUNK_SAMPLES);
        const rows: RowRef[] = [];
        for (let j = k; j < end; j++) {
          const row = block.row(j);
          if (padding(from + j)) {
            const padded: PaddedRowRef = { ...row, padding: true };
            rows.push(padded);
          } else {
            rows.push(row);
          }
        }
        // Views, not copies: a chunk is done with once the next one is asked for (as SampleChunk says).
        yield {
          numSamples: end - k,
          numFeatures: f,
          features: block.features.subarray(k * f, end * f),
          labels: block.labels.subarray(k, end),
          rows,
        };
      }
      block.release?.();
      from = after;
    }
  } finally {
    // A consumer that stops early leaves one read in flight: let it settle without an unhandled rejection.
    next?.catch(() => {});
  }
}

async function* samplesOfChunks(chunks: AsyncIterable<SampleChunk>): AsyncGenerator<Sample> {
  for await (const chunk of chunks) {
    const f = chunk.numFeatures;
    for (let i = 0; i < chunk.numSamples; i++) {
      // A copy: a sample may be kept after its block's memory goes to the next block.
      yield {
        features: chunk.features.slice(i * f, (i + 1) * f),
        label: chunk.labels[i] as number,
        source: chunk.rows[i] as RowRef,
      };
    }
  }
}

/**
 * Positions `[start, end)` of a pass read in blocks (see `blockChunks`), as samples one by one or,
 * for the batcher, in chunks (one await per chunk instead of per sample).
 */
export function readInBlocks(
  source: BlockSource,
  range: { start: number; end: number },
  indexAt: (i: number) => number,
  padding: (i: number) => boolean = () => false,
): ChunkedSamples {
  const chunks = () => blockChunks(source, range, indexAt, padding);
  return { chunks, [Symbol.asyncIterator]: () => samplesOfChunks(chunks())[Symbol.asyncIterator]() };
}
