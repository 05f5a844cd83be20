import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import {
  csvSource,
  isChunkedSource,
  type RowRef,
  type Sample,
  type SampleChunk,
  type SampleSource,
  type Schema,
} from "@stepwise/data/internals";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { tempDir } from "../test-helpers.ts";
import { type SplitOptions, splitMembership, splitSizes, splitSource } from "./split.ts";

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

/** A sample as plain data: feature bits, label, provenance. */
type Seen = [number[], number, RowRef];

async function viaStream(source: SampleSource): Promise<Seen[]> {
  const out: Seen[] = [];
  for await (const s of source.stream()) out.push([[...s.features], s.label, s.source]);
  return out;
}

/** Reads each chunk before asking for the next: a chunk is only valid until then. */
async function viaChunks(source: SampleSource): Promise<Seen[]> {
  if (!isChunkedSource(source)) throw new Error("expected a chunked source");
  const out: Seen[] = [];
  for await (const chunk of source.chunks()) {
    const f = chunk.numFeatures;
    for (let i = 0; i < chunk.numSamples; i++) {
      out.push([
        [...chunk.features.subarray(i * f, (i + 1) * f)],
        chunk.labels[i] as number,
        chunk.rows[i] as RowRef,
      ]);
    }
  }
  return out;
}

/** Both sides read per sample and in chunks must agree, and together hold every sample once. */
async function expectChunksLikeStream(source: SampleSource, split: SplitOptions): Promise<void> {
  const all = await viaStream(source);
  const sides = splitSource(source, split);
  const train = await viaStream(sides.train);
  const validation = await viaStream(sides.validation);
  expect(await viaChunks(sides.train)).toEqual(train);
  expect(await viaChunks(sides.validation)).toEqual(validation);
  const sizes = splitSizes(split.numSamples, split.fraction);
  expect([train.length, validation.length]).toEqual([sizes.train, sizes.validation]);
  const index = ([, , row]: Seen) => row.index;
  expect([...train.map(index), ...validation.map(index)].sort((a, b) => a - b)).toEqual(all.map(index));
}

/**
 * An in-memory chunked source of `numSamples` two-feature samples whose chunks (of the given
 * sizes, cycled) all live in one set of arrays, overwritten for every chunk, as a producer may.
 */
function reusingChunks(numSamples: number, chunkSizes: readonly number[]): SampleSource {
  const sample = (i: number): Sample => ({
    features: Float32Array.of(i, -i / 4),
    label: i % 5,
    source: { index: i, file: null, fileIndex: 0, line: i + 2 },
  });
  const capacity = Math.max(...chunkSizes);
  const features = new Float32Array(capacity * 2);
  const labels = new Float64Array(capacity);
  const rows: RowRef[] = [];
  return {
    numFeatures: 2,
    numSamples,
    async *stream() {
      for (let i = 0; i < numSamples; i++) yield sample(i);
    },
    async *chunks(): AsyncGenerator<SampleChunk> {
      for (let next = 0, c = 0; next < numSamples; c++) {
        const count = Math.min(chunkSizes[c % chunkSizes.length] as number, numSamples - next);
        rows.length = 0;
        for (let k = 0; k < count; k++) {
          const s = sample(next + k);
          features.set(s.features, k * 2);
          labels[k] = s.label;
          rows.push(s.source);
        }
        next += count;
        yield { numSamples: count, numFeatures: 2, features, labels, rows };
      }
    },
  } as SampleSource;
}

const splitArbitrary = (numSamples: number) =>
  fc.record({
    numSamples: fc.constant(numSamples),
    fraction: fc.double({ min: 0.05, max: 0.95, noNaN: true }),
    seed: fc.nat(),
    mode: fc.constantFrom("random" as const, "tail" as const),
  });

const viable = ({ numSamples, fraction }: SplitOptions) => {
  const train = Math.floor(numSamples * (1 - fraction));
  return train > 0 && train < numSamples;
};

describe("validation split of a chunked source", () => {
  it("a source without chunks() → sides without chunks(); a chunked source → chunked sides", () => {
    const options: SplitOptions = { numSamples: 10, fraction: 0.3, seed: 1, mode: "random" };
    const plain = splitSource(rows(10, false), options);
    expect([isChunkedSource(plain.train), isChunkedSource(plain.validation)]).toEqual([false, false]);
    const chunked = splitSource(reusingChunks(10, [3]), options);
    expect([isChunkedSource(chunked.train), isChunkedSource(chunked.validation)]).toEqual([true, true]);
  });

  it("chunks of any sizes in arrays the producer reuses → each side's chunks hold its stream's samples", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc
          .integer({ min: 2, max: 120 })
          .chain((n) =>
            fc.tuple(
              splitArbitrary(n),
              fc.array(fc.integer({ min: 0, max: 40 }), { minLength: 1, maxLength: 5 }),
            ),
          ),
        async ([split, sizes]) => {
          fc.pre(viable(split) && sizes.some((size) => size > 0));
          await expectChunksLikeStream(reusingChunks(split.numSamples, sizes), split);
        },
      ),
      { numRuns: 80 },
    );
  });

  // x numeric, c one-hot over three values, label a class index; some rows bad (skipped), so
  // split positions count usable samples, not lines.
  const schema: Schema = {
    version: 2,
    columns: ["x", "c", "label"],
    features: [
      { name: "x", kind: "numeric", default: null, stats: { count: 1, mean: 0, std: 1, min: 0, max: 1 } },
      {
        name: "c",
        kind: "categorical",
        encoding: "one-hot",
        oovInput: false,
        distinct: 3,
        vocabulary: ["a", "b", "c"],
        default: null,
        rowsOutsideVocabulary: 0,
      },
    ],
    label: { name: "label", kind: "integer-classes", numClasses: 3 },
    ignored: [],
    normalization: "none",
    numFeatures: 4,
    fit: { rowsRead: 0, rowsUsed: 0, rowsSkipped: 0, sampleRows: 0 },
    notes: [],
  };
  const row = fc.oneof(
    {
      weight: 9,
      arbitrary: fc.tuple(fc.integer({ min: -999, max: 999 }), fc.constantFrom("a", "b", "c"), fc.nat(2)),
    },
    { weight: 1, arbitrary: fc.constant(null) },
  );

  it("random CSV files, seeds and fractions → per side, chunked and per-sample passes give the same samples and rows", async () => {
    const dir = tempDir("split-");
    let serial = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(row, { minLength: 2, maxLength: 80 }).filter((r) => r.filter(Boolean).length >= 2),
        fc.integer({ min: 16, max: 200 }),
        fc.constantFrom("\n", "\r\n"),
        splitArbitrary(0),
        async (records, chunkBytes, eol, drawn) => {
          const numSamples = records.filter(Boolean).length;
          const split = { ...drawn, numSamples };
          fc.pre(viable(split));
          const lines = records.map((r) => (r ? `${r[0] / 8},${r[1]},${r[2]}` : "oops,a,0"));
          const path = join(dir, `d${serial++}.csv`);
          await writeFile(path, ["x,c,label", ...lines].join(eol) + eol);
          const source = csvSource({ paths: path, schema, onBadRecord: "skip", numSamples, chunkBytes });
          await expectChunksLikeStream(source, split);
        },
      ),
      { numRuns: 40 },
    );
  });
});
