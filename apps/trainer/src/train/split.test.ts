import type { Sample, SampleSource } from "@stepwise/data";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { splitMembership, splitSizes, splitSource } from "./split.ts";

function rows(numSamples: number, randomAccess: boolean): SampleSource {
  const sample = (i: number): Sample => ({
    features: Float32Array.of(i),
    label: i % 3,
    source: { index: i, file: null, fileIndex: 0, line: null },
  });
  return {
    numFeatures: 1,
    numSamples,
    async *stream() {
      for (let i = 0; i < numSamples; i++) yield sample(i);
    },
    ...(randomAccess ? { get: sample } : {}),
  };
}

async function indices(source: SampleSource): Promise<number[]> {
  const out: number[] = [];
  for await (const s of source.stream()) out.push(s.source.index);
  return out;
}

describe("validation split", () => {
  it.each([
    [150, 0.2, 120, 30],
    [10, 0.25, 7, 3],
    [3, 0.5, 1, 2],
  ])("%i samples, fraction %f → %i train, %i validation (Keras rounding)", (n, f, train, validation) => {
    expect(splitSizes(n, f)).toEqual({ train, validation });
  });

  it.each([
    [1, 0.2, /1 samples leaves no training data; lower it$/],
    [3, 0.7, /leaves no training data/],
    [10, 1, /between 0 and 1/],
  ])("%i samples, fraction %f → a one-line usage error", (n, f, message) => {
    expect(() => splitSizes(n, f)).toThrow(message);
  });

  it("any size, fraction and seed → the two sides are disjoint, cover every row, and have the planned sizes", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 2, max: 200 }),
        fc.double({ min: 0.05, max: 0.95, noNaN: true }),
        fc.nat(),
        fc.constantFrom("random", "tail"),
        async (n, fraction, seed, mode) => {
          fc.pre(Math.floor(n * (1 - fraction)) > 0);
          const sizes = splitSizes(n, fraction);
          const { train, validation } = splitSource(rows(n, false), { numSamples: n, fraction, seed, mode });
          const [a, b] = [await indices(train), await indices(validation)];
          expect(a.length).toBe(sizes.train);
          expect(b.length).toBe(sizes.validation);
          expect([...a, ...b].sort((x, y) => x - y)).toEqual(Array.from({ length: n }, (_, i) => i));
        },
      ),
      { numRuns: 60 },
    );
  });

  it("tail mode → validation is the last rows; random mode on sorted data → validation drawn from the whole file", async () => {
    const tail = splitSource(rows(10, false), { numSamples: 10, fraction: 0.3, seed: 1, mode: "tail" });
    expect(await indices(tail.validation)).toEqual([7, 8, 9]);
    const random = splitSource(rows(150, false), {
      numSamples: 150,
      fraction: 0.2,
      seed: 42,
      mode: "random",
    });
    const labels = new Set((await indices(random.validation)).map((i) => i % 3));
    expect(labels.size).toBe(3);
  });

  it("same seed → same split; another seed → another split", async () => {
    const of = async (seed: number) =>
      indices(
        splitSource(rows(50, false), { numSamples: 50, fraction: 0.2, seed, mode: "random" }).validation,
      );
    expect(await of(5)).toEqual(await of(5));
    expect(await of(5)).not.toEqual(await of(6));
  });

  it("a random-access source → get(i) reads the i-th sample of the split, in stream order", async () => {
    const { train } = splitSource(rows(20, true), {
      numSamples: 20,
      fraction: 0.25,
      seed: 3,
      mode: "random",
    });
    const streamed = await indices(train);
    expect(streamed.map((_, i) => train.get?.(i).source.index)).toEqual(streamed);
  });

  it.each(["random", "tail"] as const)(
    "%s: splitMembership → exactly the positions splitSource streams to validation",
    async (mode) => {
      const options = { numSamples: 40, fraction: 0.3, seed: 9, mode };
      const { isValidation } = splitMembership(options);
      const expected = Array.from({ length: 40 }, (_, p) => p).filter(isValidation);
      expect(await indices(splitSource(rows(40, false), options).validation)).toEqual(expected);
    },
  );
});
