import { describe, expect, it } from "vitest";
import { SchemaEncoder } from "./encode.ts";
import { parseSchema } from "./json.ts";
import type { Schema } from "./types.ts";

const schema: Schema = {
  version: 2,
  columns: ["a", "b", "y", "o", "h", "d"],
  features: [
    { name: "a", kind: "numeric", default: 0, stats: { count: 2, mean: 1, std: 1, min: 0, max: 2 } },
    {
      name: "b",
      kind: "categorical",
      encoding: "one-hot",
      oovInput: true,
      default: null,
      vocabulary: ["p", "q"],
      rowsOutsideVocabulary: 0,
      distinct: 2,
    },
    {
      name: "o",
      kind: "categorical",
      encoding: "embedding",
      default: "ATL",
      vocabulary: ["ATL", "BOS"],
      rowsOutsideVocabulary: 3,
      distinct: 5,
      embeddingDim: 4,
    },
    {
      name: "h",
      kind: "categorical",
      encoding: "hashed",
      default: null,
      vocabulary: [],
      rowsOutsideVocabulary: 0,
      distinct: 10_000,
      buckets: 64,
      embeddingDim: 8,
    },
    {
      name: "d",
      kind: "date",
      default: null,
      parts: ["year", "month_sin", "month_cos"],
      year: { count: 2, mean: 2024, std: 1, min: 2023, max: 2025 },
    },
  ],
  label: { name: "y", kind: "integer-classes", numClasses: 3 },
  ignored: [],
  normalization: "minmax",
  numFeatures: 1 + 3 + 1 + 1 + 3,
  fit: { rowsRead: 2, rowsUsed: 2, rowsSkipped: 0, sampleRows: 2 },
  notes: [],
};

/** A schema.json as version 1 wrote it: categorical features without encoding or OOV input. */
const version1 = {
  version: 1,
  columns: ["a", "b", "y"],
  features: [
    { name: "a", kind: "numeric", default: 0, stats: { count: 2, mean: 1, std: 1, min: 0, max: 2 } },
    { name: "b", kind: "categorical", default: null, vocabulary: ["p", "q"], rowsOutsideVocabulary: 0 },
  ],
  label: { name: "y", kind: "integer-classes", numClasses: 3 },
  ignored: [],
  normalization: "minmax",
  numFeatures: 3,
  fit: { rowsRead: 2, rowsUsed: 2, rowsSkipped: 0, sampleRows: 2 },
  notes: [],
};

describe("parseSchema", () => {
  it("a schema with every feature kind through JSON text → the same schema", () => {
    expect(parseSchema(JSON.parse(JSON.stringify(schema)))).toEqual(schema);
  });

  it("a schema with samplesFitted → kept; one saved without it → accepted as fitted on every sample", () => {
    const split = { ...schema, fit: { ...schema.fit, samplesFitted: 1 } };
    expect(parseSchema(JSON.parse(JSON.stringify(split)))).toEqual(split);
    expect(parseSchema(JSON.parse(JSON.stringify(schema))).fit.samplesFitted).toBeUndefined();
  });

  it("a version-1 schema.json → read as version 2 that encodes as before (no OOV input), input left untouched", () => {
    const text = JSON.stringify(version1);
    const parsed = parseSchema(JSON.parse(text));
    expect(parsed.version).toBe(2);
    expect(parsed.numFeatures).toBe(3);
    expect(parsed.features[1]).toMatchObject({
      encoding: "one-hot",
      oovInput: false,
      vocabulary: ["p", "q"],
    });
    const encoder = new SchemaEncoder(parsed);
    encoder.bind(parsed.columns);
    const out = new Float32Array(3);
    expect(encoder.encode(["2", "q", "1"], out)).toBe(1);
    expect([...out]).toEqual([1, 0, 1]);
    expect(encoder.encode(["2", "zz", "1"], out)).toBe(1);
    expect([...out]).toEqual([1, 0, 0]);
    const raw = JSON.parse(text);
    parseSchema(raw);
    expect(raw).toEqual(version1);
  });

  it.each([
    [
      "a version from the future",
      { ...schema, version: 3 },
      /^schema version 3 is not one this release reads \(1 or 2\); refit/,
    ],
    ["numFeatures not matching the features", { ...schema, numFeatures: 4 }, /numFeatures must be 9/],
    [
      "an unknown feature kind",
      { ...schema, features: [{ name: "a", kind: "text" }] },
      /features\[0\]\.kind/,
    ],
    [
      "an unknown categorical encoding",
      { ...schema, features: [{ ...schema.features[1], encoding: "bag" }] },
      /features\[0\]\.encoding/,
    ],
    [
      "a hashed column without buckets",
      { ...schema, features: [{ ...schema.features[3], buckets: 0 }] },
      /features\[0\]\.buckets must be a positive integer/,
    ],
    [
      "an unknown date part",
      { ...schema, features: [{ ...schema.features[4], parts: ["week"] }] },
      /features\[0\]\.parts\[0\]/,
    ],
    ["a label kind typo", { ...schema, label: { name: "y", kind: "classes" } }, /label\.kind/],
    ["not an object", "schema", /must be an object/],
    [
      "label counts not one per class",
      { ...schema, label: { name: "y", kind: "integer-classes", numClasses: 3, counts: [1, 2] } },
      /label\.counts must be a list of 3 non-negative integers/,
    ],
    [
      "more samples fitted than used",
      { ...schema, fit: { ...schema.fit, samplesFitted: 3 } },
      /fit\.samplesFitted must be an integer in \[0, 2\]/,
    ],
  ])("%s → DataError bad-schema naming the field", (_name, value, message) => {
    expect(() => parseSchema(value)).toThrow(
      expect.objectContaining({ code: "bad-schema", message: expect.stringMatching(message) }),
    );
  });
});
