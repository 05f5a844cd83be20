import { describe, expect, it } from "vitest";
import { collect } from "../pipeline/test-helpers.ts";
import { arraySource } from "./array.ts";
import { SourceError } from "./errors.ts";

describe("arraySource", () => {
  it("nested rows → random access returns features, label and in-memory provenance", () => {
    const source = arraySource({
      x: [
        [1, 2],
        [3, 4],
        [5, 6],
      ],
      y: [7, 8, 9],
    });
    expect(source.numSamples).toBe(3);
    expect(source.numFeatures).toBe(2);
    const sample = source.get(1);
    expect([...sample.features]).toEqual([3, 4]);
    expect(sample.label).toBe(8);
    expect(sample.source).toEqual({ index: 1, file: null, fileIndex: 0, line: null });
  });

  it("flat Float32Array with numFeatures → samples are views of the caller's buffer (no copy)", () => {
    const x = new Float32Array([1, 2, 3, 4, 5, 6]);
    const source = arraySource({ x, y: [0, 1], numFeatures: 3 });
    const sample = source.get(1);
    expect([...sample.features]).toEqual([4, 5, 6]);
    expect(sample.features.buffer).toBe(x.buffer);
  });

  it("stream → every sample once in source order", async () => {
    const source = arraySource({ x: [[0], [1], [2]], y: [0, 1, 2] });
    const samples = await collect(source.stream());
    expect(samples.map((s) => s.source.index)).toEqual([0, 1, 2]);
  });

  it.each([
    ["y shorter than x", { x: [[1], [2]], y: [1] }, "x has 2 samples but y has 1 labels"],
    ["a ragged row", { x: [[1, 2], [3]], y: [0, 1] }, "x[1] has 1 features, expected 2"],
    ["no rows", { x: [], y: [] }, "x has no samples"],
    ["a NaN label", { x: [[1], [2]], y: [0, Number.NaN] }, "y[1] must be a finite number, got NaN"],
    ["flat x without numFeatures", { x: new Float32Array(4), y: [0, 1] }, "numFeatures is required"],
    [
      "flat x not a multiple of numFeatures",
      { x: new Float32Array(5), y: [0, 1], numFeatures: 2 },
      "not a multiple",
    ],
    [
      "numFeatures disagreeing with rows",
      { x: [[1, 2]], y: [0], numFeatures: 3 },
      "x[0] has 2 features, expected 3",
    ],
  ])("%s → SourceError naming it", (_, options, message) => {
    expect(() => arraySource(options)).toThrow(SourceError);
    expect(() => arraySource(options)).toThrow(message);
  });

  it.each([-1, 3, 1.5])("get(%d) outside [0, 3) → SourceError", (index) => {
    const source = arraySource({ x: [[0], [1], [2]], y: [0, 1, 2] });
    expect(() => source.get(index)).toThrow(/index must be an integer in \[0, 3\)/);
  });
});
