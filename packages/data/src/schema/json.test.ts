import { describe, expect, it } from "vitest";
import { parseSchema } from "./json.ts";
import type { Schema } from "./types.ts";

const schema: Schema = {
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
  it("a schema through JSON text → the same schema", () => {
    expect(parseSchema(JSON.parse(JSON.stringify(schema)))).toEqual(schema);
  });

  it("a schema with samplesFitted → kept; one saved without it → accepted as fitted on every sample", () => {
    const split = { ...schema, fit: { ...schema.fit, samplesFitted: 1 } };
    expect(parseSchema(JSON.parse(JSON.stringify(split)))).toEqual(split);
    expect(parseSchema(JSON.parse(JSON.stringify(schema))).fit.samplesFitted).toBeUndefined();
  });

  it.each([
    ["another version", { ...schema, version: 2 }, /schema version must be 1, got 2/],
    ["numFeatures not matching the features", { ...schema, numFeatures: 4 }, /numFeatures must be 3/],
    [
      "an unknown feature kind",
      { ...schema, features: [{ name: "a", kind: "text" }] },
      /features\[0\]\.kind/,
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
