import type { Sample, SampleSource } from "../types.ts";
import { memoryRow, SourceError } from "./errors.ts";

/** In-memory features and labels; `x` is one row per sample, or a flat row-major Float32Array. */
export interface ArraySourceOptions {
  /** Rows of `numFeatures` numbers, or a flat row-major `[numSamples * numFeatures]` Float32Array (used without copying). */
  x: readonly ArrayLike<number>[] | Float32Array;
  /** One label per sample (class index or regression value). */
  y: ArrayLike<number>;
  /** Features per sample; required for a flat `x`, checked against the rows otherwise. */
  numFeatures?: number;
}

/** A random-access source: `numSamples` is known and `get` is always present. */
export interface RandomAccessSource extends SampleSource {
  readonly numSamples: number;
  get(index: number): Sample;
}

function positiveInteger(name: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 1) {
    throw new SourceError(`arraySource: ${name} must be a positive integer, got ${String(value)}`);
  }
  return value;
}

// Rows are copied once into one contiguous Float32Array: samples then are zero-copy views and
// batching is a single `set` per sample instead of a per-number conversion on every pass.
function flatten(
  rows: readonly ArrayLike<number>[],
  numFeatures: number | undefined,
): [Float32Array, number] {
  const first = rows[0];
  if (first === undefined) throw new SourceError("arraySource: x has no samples");
  const width =
    numFeatures === undefined ? positiveInteger("numFeatures (length of x[0])", first.length) : numFeatures;
  const flat = new Float32Array(rows.length * width);
  rows.forEach((row, i) => {
    if (row.length !== width) {
      throw new SourceError(`arraySource: x[${i}] has ${row.length} features, expected ${width}`);
    }
    for (let j = 0; j < width; j++) flat[i * width + j] = row[j] as number;
  });
  return [flat, width];
}

/**
 * A random-access source over in-memory arrays, shuffled by exact permutation in a pipeline.
 * Throws `SourceError` when x and y disagree in length, a row has the wrong width, or a label
 * is not a finite number. A flat Float32Array `x` is used in place: do not mutate it while reading.
 * @example arraySource({ x: [[1, 2], [3, 4]], y: [0, 1] }).get(1).features // Float32Array [3, 4]
 */
export function arraySource(options: ArraySourceOptions): RandomAccessSource {
  const { x, y } = options;
  const declared =
    options.numFeatures === undefined ? undefined : positiveInteger("numFeatures", options.numFeatures);
  let flat: Float32Array;
  let numFeatures: number;
  if (x instanceof Float32Array) {
    if (declared === undefined)
      throw new SourceError("arraySource: numFeatures is required when x is a flat Float32Array");
    if (x.length === 0) throw new SourceError("arraySource: x has no samples");
    if (x.length % declared !== 0) {
      throw new SourceError(
        `arraySource: x has ${x.length} values, not a multiple of numFeatures ${declared}`,
      );
    }
    [flat, numFeatures] = [x, declared];
  } else {
    [flat, numFeatures] = flatten(x, declared);
  }
  const numSamples = flat.length / numFeatures;
  if (y.length !== numSamples) {
    throw new SourceError(`arraySource: x has ${numSamples} samples but y has ${y.length} labels`);
  }
  const labels = Float64Array.from(y as ArrayLike<number>);
  const bad = labels.findIndex((label) => !Number.isFinite(label));
  if (bad >= 0)
    throw new SourceError(`arraySource: y[${bad}] must be a finite number, got ${String(y[bad])}`);

  const get = (index: number): Sample => {
    if (!Number.isSafeInteger(index) || index < 0 || index >= numSamples) {
      throw new SourceError(`arraySource: index must be an integer in [0, ${numSamples}), got ${index}`);
    }
    return {
      features: flat.subarray(index * numFeatures, (index + 1) * numFeatures),
      label: labels[index] as number,
      source: memoryRow(index),
    };
  };
  return {
    numFeatures,
    numSamples,
    get,
    async *stream() {
      for (let i = 0; i < numSamples; i++) yield get(i);
    },
  };
}
