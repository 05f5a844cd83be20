import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { prefetch } from "./prefetch.ts";
import { collect, range } from "./test-helpers.ts";

/** A source that counts how far it has been read and whether it was closed. */
function tracked(n: number, failAt = -1) {
  const log = { produced: 0, closed: false };
  async function* items() {
    try {
      for (let i = 0; i < n; i++) {
        if (i === failAt) throw new Error(`boom at ${i}`);
        log.produced++;
        yield i;
      }
    } finally {
      log.closed = true;
    }
  }
  return { log, items: items() };
}

const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe("prefetch", () => {
  it("any length and buffer size → same items in the same order", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 30 }),
        fc.integer({ min: 1, max: 8 }),
        async (n, bufferSize) => {
          expect(await collect(prefetch(tracked(n).items, { bufferSize }))).toEqual(range(n));
        },
      ),
      { numRuns: 30 },
    );
  });

  it("a slow consumer → production fills the queue ahead, then stops at bufferSize (backpressure)", async () => {
    const { log, items } = tracked(100);
    const it = prefetch(items, { bufferSize: 3 })[Symbol.asyncIterator]();
    expect((await it.next()).value).toBe(0);
    for (let i = 0; i < 10; i++) await settle(); // the consumer is busy; the producer runs
    expect(log.produced).toBe(1 + 3); // consumed + a full queue, and no further
    const next = it.next();
    expect((await next).value).toBe(1); // already queued: no wait on the source
    await it.return?.();
  });

  it("a consumer breaking early → production stops and the source is closed", async () => {
    const { log, items } = tracked(100);
    for await (const value of prefetch(items, { bufferSize: 2 })) if (value === 4) break;
    expect(log.closed).toBe(true);
    expect(log.produced).toBeLessThan(10);
  });

  it("a source error → items before it are delivered, then the error", async () => {
    const seen: number[] = [];
    const run = async () => {
      for await (const value of prefetch(tracked(10, 3).items, { bufferSize: 5 })) seen.push(value);
    };
    await expect(run()).rejects.toThrow("boom at 3");
    expect(seen).toEqual([0, 1, 2]);
  });

  it("a sync iterable → prefetched too", async () => {
    expect(await collect(prefetch([1, 2, 3], { bufferSize: 1 }))).toEqual([1, 2, 3]);
  });

  it("bufferSize 0 → PipelineError", () => {
    expect(() => prefetch([1], { bufferSize: 0 })).toThrow("bufferSize must be a positive integer, got 0");
  });
});
