import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { bufferShuffle } from "./shuffle.ts";
import { collect, range, sorted } from "./test-helpers.ts";

describe("bufferShuffle", () => {
  it("any seed, pass, buffer size and length → every item exactly once", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 80 }),
        fc.integer({ min: 1, max: 40 }),
        fc.nat({ max: 2 ** 40 }),
        fc.nat({ max: 5 }),
        async (n, bufferSize, seed, pass) => {
          const out = await collect(bufferShuffle(range(n), { bufferSize, seed, pass }));
          expect(sorted(out)).toEqual(range(n));
        },
      ),
      { numRuns: 60 },
    );
  });

  it("same seed and pass → same order; another pass → another order", async () => {
    const order = (pass: number) => collect(bufferShuffle(range(100), { bufferSize: 32, seed: 7, pass }));
    expect(await order(0)).toEqual(await order(0));
    expect(await order(1)).not.toEqual(await order(0));
    expect(await order(0)).not.toEqual(range(100));
  });

  it("bufferSize 1 → input order", async () => {
    expect(await collect(bufferShuffle(range(10), { bufferSize: 1, seed: 3, pass: 0 }))).toEqual(range(10));
  });

  it("any buffer size → never more than bufferSize items held (reads at most K ahead of what it emitted)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 30 }),
        fc.integer({ min: 1, max: 16 }),
        async (n, bufferSize) => {
          let read = 0;
          async function* counting() {
            for (let i = 0; i < n; i++) {
              read++;
              yield i;
            }
          }
          let emitted = 0;
          for await (const _ of bufferShuffle(counting(), { bufferSize, seed: 1, pass: 0 })) {
            emitted++;
            expect(read - emitted).toBeLessThanOrEqual(bufferSize);
          }
          expect(emitted).toBe(n);
        },
      ),
      { numRuns: 40 },
    );
  });

  it("bufferSize 0 → PipelineError when iterated", async () => {
    await expect(collect(bufferShuffle([1], { bufferSize: 0, seed: 0, pass: 0 }))).rejects.toThrow(
      "shuffleBuffer must be a positive integer, got 0",
    );
  });
});
