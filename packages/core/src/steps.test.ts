import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { batchBounds, passLayout, samplesInBatches } from "./steps.ts";

describe("passLayout", () => {
  it.each([
    // numSamples, batchSize, dropRemainder, stepsPerPass, lastBatchSize, dropped
    [30000, 32, false, 938, 16, 0],
    [5000, 32, false, 157, 8, 0],
    [30000, 32, true, 937, 32, 16],
    [100, 10, false, 10, 10, 0],
    [100, 10, true, 10, 10, 0],
    [7, 10, false, 1, 7, 0],
    [1, 1, false, 1, 1, 0],
    [101, 10, true, 10, 10, 1],
  ])("N=%i B=%i drop=%s → %i steps, last batch %i, %i dropped", (n, b, drop, steps, last, dropped) => {
    const layout = passLayout({ numSamples: n, batchSize: b, dropRemainder: drop });
    expect(layout.stepsPerPass).toBe(steps);
    expect(layout.lastBatchSize).toBe(last);
    expect(layout.samplesDroppedPerPass).toBe(dropped);
  });

  it.each([
    [{ numSamples: 10, batchSize: 0 }, "batchSize must be a positive integer, got 0"],
    [{ numSamples: 10, batchSize: 2.5 }, "batchSize must be a positive integer, got 2.5"],
    [{ numSamples: -1, batchSize: 2 }, "numSamples must be a positive integer, got -1"],
    [{ numSamples: Number.NaN, batchSize: 2 }, "numSamples must be a positive integer, got NaN"],
    [{ numSamples: 5, batchSize: 8, dropRemainder: true }, "batchSize 8 exceeds numSamples 5"],
  ])("invalid %j → error quoting the value", (options, message) => {
    expect(() => passLayout(options)).toThrow(message);
  });

  it("batches of a pass tile [0, N - dropped) without gaps or overlaps", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 500 }),
        fc.integer({ min: 1, max: 64 }),
        fc.boolean(),
        (n, b, drop) => {
          fc.pre(!drop || b <= n);
          const layout = passLayout({ numSamples: n, batchSize: b, dropRemainder: drop });
          let next = 0;
          for (let i = 0; i < layout.stepsPerPass; i++) {
            const { start, end } = batchBounds(layout, i);
            expect(start).toBe(next);
            expect(end - start).toBe(i === layout.stepsPerPass - 1 ? layout.lastBatchSize : b);
            next = end;
          }
          expect(next + layout.samplesDroppedPerPass).toBe(n);
          expect(samplesInBatches(layout, 0, layout.stepsPerPass)).toBe(next);
        },
      ),
    );
  });
});
