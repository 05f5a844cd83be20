import { passSeed } from "@stepwise/core";
import { uniformInt } from "pure-rand/distribution/uniformInt";
import { xoroshiro128plus } from "pure-rand/generator/xoroshiro128plus";
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
