import { describe, expect, it } from "vitest";
import { inputLayout } from "./layout.ts";
import type { Schema } from "./types.ts";

describe("inputLayout", () => {
  it("numeric, one-hot + OOV, embedded, date and hashed features → dense positions and one index per embedded column", () => {
    const stats = { count: 1, mean: 0, std: 1, min: 0, max: 1 };
    const schema: Schema = {
      version: 2,
      columns: ["n", "c", "e", "d", "h"],
      features: [
        { name: "n", kind: "numeric", default: null, stats },
        {
          name: "c",
          kind: "categorical",
          encoding: "one-hot",
          vocabulary: ["a", "b"],
          default: null,
          rowsOutsideVocabulary: 0,
          distinct: 2,
        },
        {
          name: "e",
          kind: "categorical",
          encoding: "embedding",
          vocabulary: ["x", "y", "z"],
          default: null,
          rowsOutsideVocabulary: 0,
          distinct: 3,
          embeddingDim: 4,
        },
        { name: "d", kind: "date", default: null, parts: ["year", "month"], year: stats },
        {
          name: "h",
          kind: "categorical",
          encoding: "hashed",
          vocabulary: [],
          default: null,
          rowsOutsideVocabulary: 0,
          distinct: 99,
          buckets: 32,
          embeddingDim: 6,
        },
      ],
      label: null,
      ignored: [],
      normalization: "standard",
      numFeatures: 1 + 3 + 1 + 2 + 1,
      fit: { rowsRead: 1, rowsUsed: 1, rowsSkipped: 0, sampleRows: 1 },
      notes: [],
    };
    expect(inputLayout(schema)).toEqual({
      dense: [0, 1, 2, 3, 5, 6],
      embeddings: [
        { name: "e", column: 4, rows: 4, dim: 4 },
        { name: "h", column: 7, rows: 32, dim: 6 },
      ],
    });
  });
});
