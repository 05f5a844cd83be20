import { describe, expect, it } from "vitest";
import { describeSchema } from "./describe.ts";
import type { Schema } from "./types.ts";

const schema: Schema = {
  version: 2,
  columns: ["id", "temp", "color", "species"],
  features: [
    {
      name: "temp",
      kind: "numeric",
      default: null,
      stats: { count: 150, mean: 5.843333, std: 0.825301, min: 4.3, max: 7.9 },
    },
    {
      name: "color",
      kind: "categorical",
      encoding: "one-hot",
      oovInput: false,
      distinct: 0,
      default: "red",
      vocabulary: ["blue", "red"],
      rowsOutsideVocabulary: 0,
    },
  ],
  label: { name: "species", kind: "string-classes", vocabulary: ["setosa", "versicolor", "virginica"] },
  ignored: [{ name: "id", reason: "row counter (consecutive integers)" }],
  normalization: "standard",
  numFeatures: 3,
  fit: { rowsRead: 152, rowsUsed: 150, rowsSkipped: 2, sampleRows: 150 },
  notes: ["something to check"],
};

describe("describeSchema", () => {
  it("a schema → one line per column with its role, kind and statistics, then the fit and notes", () => {
    const lines = describeSchema(schema).split("\n");
    expect(lines[0]).toBe('Schema: 2 features from 4 columns → numFeatures 3; label "species"');
    expect(lines[1]).toMatch(
      /^ {2}label {4}species +classes +3 classes: 0=setosa, 1=versicolor, 2=virginica$/,
    );
    expect(lines[2]).toMatch(
      /^ {2}feature {2}temp +numeric +mean 5\.843, std 0\.8253, min 4\.3, max 7\.9; missing → bad record$/,
    );
    expect(lines[3]).toMatch(
      /^ {2}feature {2}color +categorical +2 one-hot inputs: blue, red; missing → "red"$/,
    );
    expect(lines[4]).toMatch(/^ {2}ignored {2}id +row counter/);
    expect(lines.join("\n")).toMatch(/Fitted on 150 of 152 rows \(2 skipped\)/);
    expect(lines.at(-1)).toBe("Note: something to check");
  });

  it("statistics fitted on part of the usable samples → says from how many training samples", () => {
    const split: Schema = { ...schema, fit: { ...schema.fit, samplesFitted: 120 } };
    expect(describeSchema(split)).toContain(
      "Statistics from 120 training samples of 150 usable (30 left out, e.g. validation); 152 rows read (2 skipped)",
    );
    const whole: Schema = { ...schema, fit: { ...schema.fit, samplesFitted: 150 } };
    expect(describeSchema(whole)).toBe(describeSchema(schema));
  });
});

describe("describeSchema, categorical encodings and dates", () => {
  it("one-hot + OOV, embedding, hashed and date features → each named with its inputs", () => {
    const stats = { count: 10, mean: 2024.4, std: 0.3, min: 2024.01, max: 2024.98 };
    const wide: Schema = {
      ...schema,
      columns: ["c", "origin", "tail", "when", "species"],
      features: [
        {
          name: "c",
          kind: "categorical",
          encoding: "one-hot",
          oovInput: true,
          distinct: 3,
          default: null,
          vocabulary: ["a", "b"],
          rowsOutsideVocabulary: 4,
        },
        {
          name: "origin",
          kind: "categorical",
          encoding: "embedding",
          distinct: 300,
          default: null,
          vocabulary: Array.from({ length: 300 }, (_, i) => `AP${i}`),
          rowsOutsideVocabulary: 0,
          embeddingDim: 39,
        },
        {
          name: "tail",
          kind: "categorical",
          encoding: "hashed",
          distinct: 10_000,
          default: null,
          vocabulary: [],
          rowsOutsideVocabulary: 0,
          buckets: 4096,
          embeddingDim: 50,
        },
        { name: "when", kind: "date", default: null, parts: ["year", "hour_sin", "hour_cos"], year: stats },
      ],
      ignored: [],
      numFeatures: 3 + 1 + 1 + 3,
    };
    const text = describeSchema(wide);
    expect(text).toMatch(
      /feature {2}c +categorical +2 \+ OOV one-hot inputs: a, b; 4 fitted rows OOV; missing → bad record/,
    );
    expect(text).toMatch(
      /feature {2}origin +categorical +embedding 301×39 \(300 values \+ OOV\): AP0, AP1, AP2, AP3, AP4, AP5, … \(\+294\)/,
    );
    expect(text).toMatch(
      /feature {2}tail +categorical +hashed: 10000\+ values into 4096 buckets, embedding 50/,
    );
    expect(text).toMatch(/feature {2}when +date +3 inputs: year, hour_sin, hour_cos \(year 2024\)/);
    expect(text).toContain("Categorical values outside a vocabulary go to the column's OOV bucket");
  });
});
