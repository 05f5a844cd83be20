import fc from "fast-check";
import { uniformInt } from "pure-rand/distribution/uniformInt";
import { xoroshiro128plus } from "pure-rand/generator/xoroshiro128plus";
import { describe, expect, it } from "vitest";
import { ProvenanceChunk } from "../provenance.ts";
import type { RowRef, Sample, SampleChunk } from "../types.ts";
import { bufferShuffle, bufferShuffleChunks, draw, drawBound } from "./shuffle.ts";
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

describe("draw", () => {
  it("any range up to 2^32 and seed → the same draws as pure-rand's uniformInt(rng, 0, range - 1)", () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.integer({ min: 1, max: 5000 }), fc.integer({ min: 1, max: 2 ** 32 })),
        fc.integer(),
        (range, seed) => {
          const a = xoroshiro128plus(seed);
          const b = xoroshiro128plus(seed);
          const bound = drawBound(range);
          for (let i = 0; i < 50; i++) expect(draw(a, range, bound)).toBe(uniformInt(b, 0, range - 1));
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("bufferShuffleChunks", () => {
  /** Rows of several files, in chunks that carry provenance as numbers or as RowRefs. */
  const fileRows = (counts: number[]): RowRef[] =>
    counts.flatMap((count, fileIndex) =>
      Array.from({ length: count }, (_, i) => ({
        index: fileIndex * 1000 + i,
        file: fileIndex === 0 ? null : `f${fileIndex}.csv`,
        fileIndex,
        // Lines beyond int32 too: they must come back as the same numbers.
        line: i % 5 === 4 ? 2 ** 33 + i : i + 2,
      })),
    );
  const sampleOf = (row: RowRef): Sample => ({
    features: Float32Array.of(row.index, row.fileIndex),
    label: row.index,
    source: row,
  });
  function chunkOf(rows: RowRef[], asNumbers: boolean): SampleChunk {
    const features = new Float32Array(rows.length * 2);
    const labels = new Float64Array(rows.length);
    rows.forEach((row, i) => {
      features.set(sampleOf(row).features, 2 * i);
      labels[i] = row.index;
    });
    if (!asNumbers) return { numSamples: rows.length, numFeatures: 2, features, labels, rows };
    const first = rows[0] as RowRef;
    const chunk = new ProvenanceChunk(2, features, labels, {
      file: first.file,
      fileIndex: first.fileIndex,
      index: Float64Array.from(rows, (row) => row.index),
      line: Float64Array.from(rows, (row) => row.line ?? Number.NaN),
    });
    chunk.numSamples = rows.length;
    return chunk;
  }

  it("chunks of several files, provenance as numbers or as RowRefs → the per-sample shuffle's samples, rows and order", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: 30 }), { minLength: 1, maxLength: 4 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 40 }),
        fc.array(fc.boolean(), { minLength: 1, maxLength: 5 }),
        fc.nat(1000),
        async (counts, chunkSize, bufferSize, asNumbers, seed) => {
          const rows = fileRows(counts);
          // Chunks never span files (a chunk's numbers are one file's).
          const chunks: SampleChunk[] = [];
          let from = 0;
          for (const count of counts) {
            for (let i = 0; i < count; i += chunkSize) {
              const part = rows.slice(from + i, from + Math.min(count, i + chunkSize));
              chunks.push(chunkOf(part, asNumbers[chunks.length % asNumbers.length] as boolean));
            }
            from += count;
          }
          const options = { bufferSize, seed, pass: 1 };
          const expected = await collect(bufferShuffle(rows.map(sampleOf), options));
          const seen: Sample[] = [];
          async function* source() {
            yield* chunks;
          }
          for await (const chunk of bufferShuffleChunks(source(), options)) {
            for (let i = 0; i < chunk.numSamples; i++) {
              seen.push({
                features: chunk.features.slice(2 * i, 2 * i + 2),
                label: chunk.labels[i] as number,
                source: chunk.rows[i] as RowRef,
              });
            }
          }
          expect(seen).toEqual(expected);
        },
      ),
      { numRuns: 150 },
    );
  });
});
