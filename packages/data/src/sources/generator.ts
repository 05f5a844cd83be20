import type { Sample, SampleSource } from "../types.ts";
import { memoryRow, SourceError } from "./errors.ts";

/** One sample as a user's generator yields it. */
export interface GeneratedSample {
  features: ArrayLike<number>;
  label: number;
}

export interface GeneratorSourceOptions {
  /** Features per sample; every yielded sample must have exactly this many. */
  numFeatures: number;
  /** Samples per pass when the caller knows it; default `null` (discovered on the first pass). */
  numSamples?: number | null;
}

/**
 * A stream source over a user's (async) generator. `generate` is called once per pass and must
 * yield the same samples in the same order every time; the pipeline shuffles with a bounded buffer.
 * Features are copied, so the generator may reuse its arrays. Throws `SourceError` naming the row
 * for a sample of the wrong width, a non-finite label, or a pass whose length differs from numSamples.
 * @example generatorSource(async function* () { yield { features: [1, 2], label: 0 }; }, { numFeatures: 2 })
 */
export function generatorSource(
  generate: () => AsyncIterable<GeneratedSample> | Iterable<GeneratedSample>,
  options: GeneratorSourceOptions,
): SampleSource {
  const { numFeatures } = options;
  if (!Number.isSafeInteger(numFeatures) || numFeatures < 1) {
    throw new SourceError(
      `generatorSource: numFeatures must be a positive integer, got ${String(numFeatures)}`,
    );
  }
  const numSamples = options.numSamples ?? null;
  if (numSamples !== null && (!Number.isSafeInteger(numSamples) || numSamples < 1)) {
    throw new SourceError(
      `generatorSource: numSamples must be a positive integer or null, got ${String(numSamples)}`,
    );
  }
  return {
    numFeatures,
    numSamples,
    async *stream(): AsyncGenerator<Sample> {
      let index = 0;
      for await (const item of generate()) {
        if (numSamples !== null && index >= numSamples) {
          throw new SourceError(`generatorSource: yielded more than the declared numSamples ${numSamples}`);
        }
        const length = item?.features?.length;
        if (length !== numFeatures) {
          throw new SourceError(
            `generatorSource: row ${index} has ${String(length)} features, expected ${numFeatures}`,
          );
        }
        if (typeof item.label !== "number" || !Number.isFinite(item.label)) {
          throw new SourceError(
            `generatorSource: row ${index} label must be a finite number, got ${String(item.label)}`,
          );
        }
        yield { features: Float32Array.from(item.features), label: item.label, source: memoryRow(index) };
        index++;
      }
      if (index === 0) throw new SourceError("generatorSource: the generator yielded no samples");
      if (numSamples !== null && index !== numSamples) {
        throw new SourceError(`generatorSource: yielded ${index} samples, declared numSamples ${numSamples}`);
      }
    },
  };
}
