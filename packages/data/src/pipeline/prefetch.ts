import { integerAtLeast } from "./errors.ts";

export interface PrefetchOptions {
  /** Items produced ahead of the consumer and held in the queue (≥ 1). */
  bufferSize: number;
}

/**
 * Reads `items` ahead of the consumer into a bounded queue: production runs while the consumer
 * works, and stops when `bufferSize` items wait (backpressure), so memory stays bounded. Items,
 * order and errors are unchanged (an error arrives after the items produced before it). Breaking
 * out of the loop stops production and closes `items`. Throws `PipelineError` for bufferSize < 1.
 * Read-ahead moves the pipeline's cursor: checkpoint with `pipeline.stateAfter(lastConsumedBatch)`.
 * @example for await (const batch of prefetch(pipeline.epoch(e), { bufferSize: 4 })) await trainStep(batch);
 */
export function prefetch<T>(
  items: AsyncIterable<T> | Iterable<T>,
  options: PrefetchOptions,
): AsyncIterable<T> {
  const bufferSize = integerAtLeast("bufferSize", options.bufferSize, 1);
  return {
    [Symbol.asyncIterator](): AsyncIterator<T> {
      const source: AsyncIterator<T> | Iterator<T> =
        Symbol.asyncIterator in items ? items[Symbol.asyncIterator]() : items[Symbol.iterator]();
      const queue: T[] = [];
      let failure: { error: unknown } | null = null;
      let finished = false;
      let stopped = false;
      let producer: Promise<void> | null = null;
      let wakeConsumer: (() => void) | null = null;
      let wakeProducer: (() => void) | null = null;
      const wake = (which: "consumer" | "producer") => {
        const resolve = which === "consumer" ? wakeConsumer : wakeProducer;
        if (which === "consumer") wakeConsumer = null;
        else wakeProducer = null;
        resolve?.();
      };
      const produce = async () => {
        try {
          while (!stopped) {
            if (queue.length >= bufferSize) {
              await new Promise<void>((resolve) => {
                wakeProducer = resolve;
              });
              continue;
            }
            const result = await source.next();
            if (result.done || stopped) break;
            queue.push(result.value);
            wake("consumer");
          }
        } catch (error) {
          failure = { error };
        } finally {
          finished = true;
          wake("consumer");
        }
      };
      return {
        async next(): Promise<IteratorResult<T>> {
          producer ??= produce();
          while (queue.length === 0 && !finished) {
            await new Promise<void>((resolve) => {
              wakeConsumer = resolve;
            });
          }
          if (queue.length > 0) {
            const value = queue.shift() as T;
            wake("producer");
            return { value, done: false };
          }
          if (failure) {
            const { error } = failure;
            failure = null;
            throw error;
          }
          return { value: undefined, done: true };
        },
        async return(): Promise<IteratorResult<T>> {
          stopped = true;
          queue.length = 0;
          wake("producer");
          await producer; // let an in-flight read settle before closing the source
          finished = true;
          await source.return?.();
          return { value: undefined, done: true };
        },
      };
    },
  };
}
