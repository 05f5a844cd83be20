import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { SchemaEncoder } from "../schema/encode.ts";
import type { Schema } from "../schema/types.ts";
import { cellText } from "./cells.ts";
import { ValueEncoder } from "./values.ts";

const schema: Schema = {
  version: 2,
  columns: ["a", "color", "b", "label"],
  features: [
    { name: "a", kind: "numeric", default: null, stats: { count: 3, mean: 0.3, std: 1.7, min: -1, max: 2 } },
    {
      name: "color",
      kind: "categorical",
      encoding: "one-hot",
      oovInput: false,
      distinct: 0,
      vocabulary: ["1", "blue", "red"],
      default: null,
      rowsOutsideVocabulary: 0,
    },
    { name: "b", kind: "numeric", default: 0.5, stats: { count: 3, mean: -2, std: 0.1, min: -3, max: 1 } },
  ],
  label: { name: "label", kind: "integer-classes", numClasses: 3 },
  ignored: [],
  normalization: "standard",
  numFeatures: 5,
  fit: { rowsRead: 3, rowsUsed: 3, rowsSkipped: 0, sampleRows: 3 },
  notes: [],
};

// Weighted towards plain values, so that many rows take the fast path and are compared.
const value = fc.oneof(
  { arbitrary: fc.integer({ min: -2, max: 4 }), weight: 3 },
  { arbitrary: fc.constantFrom("red", "blue", "1"), weight: 2 },
  { arbitrary: fc.double(), weight: 2 },
  { arbitrary: fc.constantFrom(-0, 1e39, -1e39, 3.4e38, null, undefined, "green", "", 1.5), weight: 1 },
);

describe("ValueEncoder", () => {
  it("any row of typed values → null, or exactly the reference encoder's features and label from the cells", () => {
    const encoder = new SchemaEncoder(schema);
    encoder.bind(schema.columns, { file: "t", line: null });
    const fast = new ValueEncoder(encoder.plan());
    let served = 0;
    fc.assert(
      fc.property(fc.tuple(value, value, value, value), (row) => {
        const columns = row.map((v) => [v]);
        const quick = new Float32Array(5);
        const label = fast.encode(columns, 0, quick, 0);
        if (label === null) return;
        served++;
        const reference = new Float32Array(5);
        expect(encoder.encode(row.map(cellText), reference)).toBe(label);
        expect(new Uint32Array(quick.buffer)).toEqual(new Uint32Array(reference.buffer));
      }),
      { numRuns: 3000 },
    );
    // About 1.7% of rows are all plain (≈50 of 3000): enough compared rows for the property to bite.
    expect(served).toBeGreaterThan(20);
  });

  it("plain numbers, a known category, a valid class → served without the reference path", () => {
    const encoder = new SchemaEncoder(schema);
    encoder.bind(schema.columns, { file: "t", line: null });
    const out = new Float32Array(5);
    expect(new ValueEncoder(encoder.plan()).encode([[1.5], ["red"], [-2], [2]], 0, out, 0)).toBe(2);
    expect([...out]).toEqual([Math.fround((1.5 - 0.3) / 1.7), 0, 0, 1, 0]);
  });
});
