import * as tf from "@tensorflow/tfjs";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { SourceError } from "../sources/errors.ts";
import { TensorAdapterError } from "./errors.ts";
import { tensorSource } from "./tensor-source.ts";

beforeAll(async () => {
  await tf.setBackend("cpu");
  tf.env().set("IS_TEST", true); // no "install tfjs-node" hint in the test output
});

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

describe("tensorSource", () => {
  it("x [N, F] and y [N] → N random-access samples with in-memory provenance", () => {
    const x = tf.tensor2d([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    const y = tf.tensor1d([2, 0, 1], "int32");
    const source = tensorSource(x, y);
    expect(source.numSamples).toBe(3);
    expect(source.numFeatures).toBe(2);
    const sample = source.get(1);
    expect(Array.from(sample?.features ?? [])).toEqual([3, 4]);
    expect(sample?.label).toBe(0);
    expect(sample?.source).toEqual({ index: 1, file: null, fileIndex: 0, line: null });
    tf.dispose([x, y]);
  });

  it("y [N, 1] → accepted as one label per sample", () => {
    const x = tf.tensor2d([[1], [2]]);
    const y = tf.tensor2d([[0.5], [1.5]]);
    expect(tensorSource(x, y).get(1).label).toBe(1.5);
    tf.dispose([x, y]);
  });

  it.each([
    ["one-hot labels [N, 3]", [2, 3]],
    ["too few labels", [1]],
    ["too many labels", [3]],
  ])("%s → TensorAdapterError naming both shapes", (_, shape) => {
    const x = tf.zeros([2, 4]) as tf.Tensor2D;
    const y = tf.zeros(shape);
    expect(() => tensorSource(x, y)).toThrow(TensorAdapterError);
    expect(() => tensorSource(x, y)).toThrow(`[${shape}]`);
    tf.dispose([x, y]);
  });

  it("x not of rank 2 → TensorAdapterError", () => {
    const x = tf.zeros([2]) as unknown as tf.Tensor2D;
    const y = tf.zeros([2]);
    expect(() => tensorSource(x, y)).toThrow(TensorAdapterError);
    tf.dispose([x, y]);
  });

  it("index outside [0, N) → SourceError", () => {
    const x = tf.zeros([2, 1]) as tf.Tensor2D;
    const y = tf.zeros([2]);
    const source = tensorSource(x, y);
    expect(() => source.get(2)).toThrow(SourceError);
    expect(() => source.get(-1)).toThrow(SourceError);
    tf.dispose([x, y]);
  });

  it.each<[string, [number, number], number[]]>([
    ["a NaN label", [2, 1], [0, Number.NaN]],
    ["no samples", [0, 1], []],
  ])("%s → SourceError", (_, shape, labels) => {
    const x = tf.zeros(shape) as tf.Tensor2D;
    const y = tf.tensor1d(labels);
    expect(() => tensorSource(x, y)).toThrow(SourceError);
    tf.dispose([x, y]);
  });

  it("building and reading the source → no tensor created or disposed; the caller's stay usable", async () => {
    const x = tf.tensor2d([
      [1, 2],
      [3, 4],
    ]);
    const y = tf.tensor1d([0, 1]);
    const before = tf.memory().numTensors;
    const source = tensorSource(x, y);
    await collect(source.stream());
    expect(tf.memory().numTensors).toBe(before);
    expect(x.isDisposed || y.isDisposed).toBe(false);
    expect(x.arraySync()).toEqual([
      [1, 2],
      [3, 4],
    ]);
    tf.dispose([x, y]);
  });

  it("any shape and values → stream yields every row once, in order, equal to get(i)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 30 }),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 0, max: 1000 }),
        async (numSamples, numFeatures, offset) => {
          const values = Array.from({ length: numSamples * numFeatures }, (_, k) => k + offset);
          const labels = Array.from({ length: numSamples }, (_, i) => (i * 7 + offset) % 5);
          const x = tf.tensor2d(values, [numSamples, numFeatures]);
          const y = tf.tensor1d(labels);
          const source = tensorSource(x, y);
          const samples = await collect(source.stream());
          tf.dispose([x, y]);
          expect(samples.map((s) => s.source.index)).toEqual(labels.map((_, i) => i));
          samples.forEach((sample, i) => {
            const row = values.slice(i * numFeatures, (i + 1) * numFeatures);
            expect(Array.from(sample.features)).toEqual(row);
            expect(sample.label).toBe(labels[i]);
            expect(source.get(i)).toEqual(sample);
          });
        },
      ),
      { numRuns: 40 },
    );
  });
});
