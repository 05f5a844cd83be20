import { SourceError } from "../sources/errors.ts";
import type { SampleSource } from "../types.ts";

/**
 * Samples in one pass of `source`: `numSamples` when declared, else `source.count()` when the
 * source has a cheap count, else one full read of the stream (the cost of a pass, memory O(1)).
 * Throws `SourceError` for an empty source.
 */
export async function countSamples(source: SampleSource): Promise<number> {
  if (source.numSamples !== null) return source.numSamples;
  let count = 0;
  if (source.count) count = await source.count();
  else for await (const _ of source.stream()) count++;
  if (!Number.isSafeInteger(count) || count < 1)
    throw new SourceError(`the source has no samples (counted ${count})`);
  return count;
}
