import { passSeed, permutation } from "@stepwise/core";
import {
  isChunkedSource,
  type RowRef,
  type Sample,
  type SampleChunk,
  type SampleSource,
} from "@stepwise/data/internals";
import { UsageError } from "../errors.ts";

/** `random`: a seeded random subset (the default; safe on files sorted by class). `tail`: the last rows, as Keras does. */
export type SplitMode = "random" | "tail";
export const SPLIT_MODES: readonly SplitMode[] = ["random", "tail"];

// A pass number no training run reaches, so the split's shuffle is independent of every
// training pass's shuffle of the same seed.
const SPLIT_PASS = 2 ** 40;

export interface SplitOptions {
  /** Usable samples in one pass of the source. */
  numSamples: number;
  /** Share of samples for validation, in (0, 1). */
  fraction: number;
  seed: number;
  mode: SplitMode;
}

/** Sizes of both sides: Keras's rule, training gets floor(N × (1 − fraction)). Throws `UsageError` when a side is empty. */
export function splitSizes(numSamples: number, fraction: number): { train: number; validation: number } {
  if (!(fraction > 0 && fraction < 1)) {
    throw new UsageError(`--validation-split must be a fraction between 0 and 1 (e.g. 0.2), got ${fraction}`);
  }
  const train = Math.floor(numSamples * (1 - fraction));
  const validation = numSamples - train;
  if (validation === 0) {
    throw new UsageError(
      `--validation-split ${fraction} of ${numSamples} samples leaves no validation data; raise it to at least ${(1 / numSamples).toPrecision(2)}`,
    );
  }
  if (train === 0) {
    throw new UsageError(
      `--validation-split ${fraction} of ${numSamples} samples leaves no training data; lower it`,
    );
  }
  return { train, validation };
}

/**
 * The split's one rule, shared by the sources and by the schema fit that must see exactly the
 * training side: whether the sample at `position` (0-based usable-sample number of a pass)
 * is a validation sample. O(1) time and memory per position. Throws `UsageError` when either
 * side would be empty.
 */
export function splitMembership(options: SplitOptions): {
  sizes: { train: number; validation: number };
  isValidation(position: number): boolean;
} {
  const { numSamples } = options;
  const sizes = splitSizes(numSamples, options.fraction);
  const order =
    options.mode === "tail"
      ? null
      : permutation({ numSamples, seed: passSeed(options.seed, SPLIT_PASS), pass: 0 });
  // Position p goes to validation when it lands in the last `validation` places of the split order.
  const isValidation = (position: number): boolean =>
    (order ? order.indexOf(position) : position) >= sizes.train;
  return { sizes, isValidation };
}

/**
 * Positions of each side of the split, in increasing order (4 bytes per sample): what a block
 * source's subsets take (`subsetBlocks`). Throws `UsageError` when either side would be empty.
 */
export function splitMembers(options: SplitOptions): { train: Uint32Array; validation: Uint32Array } {
  const { sizes, isValidation } = splitMembership(options);
  const train = new Uint32Array(sizes.train);
  const validation = new Uint32Array(sizes.validation);
  let t = 0;
  let v = 0;
  for (let p = 0; p < options.numSamples; p++) {
    if (isValidation(p)) validation[v++] = p;
    else train[t++] = p;
  }
  return { train, validation };
}

/**
 * The samples of a chunked pass on one side of the split (`isValidation(position) === wanted`),
 * in the same order, in chunks. A chunk wholly on that side passes through as it is; a mixed one
 * is compacted, run by run, into arrays this generator reuses from chunk to chunk, which the chunk
 * contract allows (a chunk is valid until the next one is asked for) and which spares the
 * garbage collector an allocation per chunk.
 */
async function* splitChunks(
  chunks: AsyncIterable<SampleChunk>,
  isValidation: (position: number) => boolean,
  wanted: boolean,
): AsyncGenerator<SampleChunk> {
  let position = 0;
  let keep = new Uint8Array(0);
  let features = new Float32Array(0);
  let labels = new Float64Array(0);
  for await (const chunk of chunks) {
    const { numSamples, numFeatures } = chunk;
    if (keep.length < numSamples) keep = new Uint8Array(numSamples);
    let kept = 0;
    for (let i = 0; i < numSamples; i++) {
      const side = isValidation(position++) === wanted;
      keep[i] = side ? 1 : 0;
      if (side) kept++;
    }
    if (kept === numSamples) {
      yield chunk;
      continue;
    }
    if (kept === 0) continue;
    if (labels.length < kept || features.length < kept * numFeatures) {
      features = new Float32Array(numSamples * numFeatures);
      labels = new Float64Array(numSamples);
    }
    const rows = new Array<RowRef>(kept);
    let k = 0;
    for (let i = 0; i < numSamples; ) {
      if (keep[i] === 0) {
        i++;
        continue;
      }
      const start = i;
      while (i < numSamples && keep[i] === 1) i++;
      features.set(chunk.features.subarray(start * numFeatures, i * numFeatures), k * numFeatures);
      labels.set(chunk.labels.subarray(start, i), k);
      for (let j = start; j < i; j++) rows[k++] = chunk.rows[j] as RowRef;
    }
    yield {
      numSamples: kept,
      numFeatures,
      features: features.subarray(0, kept * numFeatures),
      labels: labels.subarray(0, kept),
      rows,
    };
  }
}

/**
 * Splits one source into training and validation sources by sample position (the n-th usable
 * sample of a pass), reproducibly from `seed`. Both views read the underlying data and keep the
 * rows' provenance; with random access both are random access too (positions kept as
 * Uint32Array, 4 bytes per sample), and with chunked passes (`chunks()`, the CSV fast path) both
 * read in chunks too, giving the samples `stream()` gives. Throws `UsageError` when either side
 * would be empty.
 */
export function splitSource(
  source: SampleSource,
  options: SplitOptions,
): { train: SampleSource; validation: SampleSource } {
  const { sizes, isValidation } = splitMembership(options);
  let both: { train: Uint32Array; validation: Uint32Array } | null = null;
  const members = (wanted: boolean): Uint32Array => {
    both ??= splitMembers(options);
    return wanted ? both.validation : both.train;
  };

  const view = (wanted: boolean, count: number): SampleSource => {
    let positions: Uint32Array | null = null;
    const get = source.get?.bind(source);
    const chunked = isChunkedSource(source) ? source : null;
    return {
      numFeatures: source.numFeatures,
      numSamples: count,
      async *stream(): AsyncGenerator<Sample> {
        let position = 0;
        for await (const sample of source.stream()) {
          if (isValidation(position++) === wanted) yield sample;
        }
      },
      ...(chunked
        ? { chunks: (): AsyncIterable<SampleChunk> => splitChunks(chunked.chunks(), isValidation, wanted) }
        : {}),
      ...(get
        ? {
            get(index: number): Sample {
              positions ??= members(wanted);
              const position = positions[index];
              if (position === undefined || !Number.isSafeInteger(index) || index < 0) {
                throw new RangeError(`index must be an integer in [0, ${count}), got ${index}`);
              }
              return get(position);
            },
          }
        : {}),
    };
  };
  return { train: view(false, sizes.train), validation: view(true, sizes.validation) };
}
