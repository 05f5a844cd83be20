import { passSeed, permutation } from "@stepwise/core";
import type { Sample, SampleSource } from "@stepwise/data";
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
 * Splits one source into training and validation sources by sample position (the n-th usable
 * sample of a pass), reproducibly from `seed`. Both views read the underlying data and keep the
 * rows' provenance; with random access both are random access too (positions kept as
 * Uint32Array, 4 bytes per sample). Throws `UsageError` when either side would be empty.
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
    return {
      numFeatures: source.numFeatures,
      numSamples: count,
      async *stream(): AsyncGenerator<Sample> {
        let position = 0;
        for await (const sample of source.stream()) {
          if (isValidation(position++) === wanted) yield sample;
        }
      },
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
