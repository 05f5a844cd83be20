import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { SchemaEncoder } from "./encode.ts";
import { hashBucket } from "./hash.ts";
import { type CategoricalFeature, featureWidth, type Schema } from "./types.ts";

function schema(overrides: Partial<Schema> = {}): Schema {
  return {
    version: 2,
    columns: ["temp", "color", "species"],
    features: [
      {
        name: "temp",
        kind: "numeric",
        default: null,
        stats: { count: 4, mean: 10, std: 2, min: 6, max: 16 },
      },
      {
        name: "color",
        kind: "categorical",
        encoding: "one-hot",
        distinct: 3,
        default: null,
        vocabulary: ["blue", "green", "red"],
        rowsOutsideVocabulary: 0,
      },
    ],
    label: { name: "species", kind: "string-classes", vocabulary: ["cat", "dog"] },
    ignored: [],
    normalization: "standard",
    numFeatures: 5,
    fit: { rowsRead: 4, rowsUsed: 4, rowsSkipped: 0, sampleRows: 4 },
    notes: [],
    ...overrides,
  };
}

function encode(s: Schema, fields: string[], columns = s.columns, requireLabel?: boolean) {
  const encoder = new SchemaEncoder(s, { requireLabel });
  encoder.bind(columns);
  const out = new Float32Array(s.numFeatures).fill(7); // stale values must be overwritten
  const result = encoder.encode(fields, out);
  return { result, out: [...out], encoder };
}

describe("SchemaEncoder", () => {
  it.each([
    ["standard", "14", 2],
    ["minmax", "11", 0.5],
    ["none", "14", 14],
  ] as const)("normalization %s, temp %s → %d", (normalization, temp, expected) => {
    const { result, out } = encode(schema({ normalization }), [temp, "red", "dog"]);
    expect(result).toBe(1);
    expect(out).toEqual([expected, 0, 0, 1, 0]);
  });

  it("columns in another order → encoded by name", () => {
    const { out, result } = encode(schema(), ["cat", "green", "8"], ["species", "color", "temp"]);
    expect(result).toBe(0);
    expect(out).toEqual([-1, 0, 1, 0, 0]);
  });

  it("unseen category → the OOV input set, counted, not an error", () => {
    const { out, result, encoder } = encode(schema(), ["10", "purple", "cat"]);
    expect(result).toBe(0);
    expect(out).toEqual([0, 0, 0, 0, 1]);
    expect(encoder.unseen.get("color")).toBe(1);
  });

  it("version-1 layout (no OOV input): unseen category → all zeros, counted", () => {
    const s = schema({ numFeatures: 4 });
    s.features[1] = { ...(s.features[1] as CategoricalFeature), oovInput: false };
    const { out, encoder } = encode(s, ["10", "purple", "cat"]);
    expect(out).toEqual([0, 0, 0, 0]);
    expect(encoder.unseen.get("color")).toBe(1);
  });

  it("constant column (std 0) → encodes as 0 rather than dividing by zero", () => {
    const s = schema();
    s.features[0] = {
      name: "temp",
      kind: "numeric",
      default: null,
      stats: { count: 3, mean: 5, std: 0, min: 5, max: 5 },
    };
    expect(encode(s, ["5", "red", "cat"]).out[0]).toBe(0);
  });

  it("missing values → column defaults, normalized like read values", () => {
    const s = schema();
    s.features[0] = {
      ...(s.features[0] as Extract<Schema["features"][number], { kind: "numeric" }>),
      default: 12,
    };
    s.features[1] = {
      ...(s.features[1] as Extract<Schema["features"][number], { kind: "categorical" }>),
      default: "blue",
    };
    expect(encode(s, ["", " ", "cat"]).out).toEqual([1, 1, 0, 0, 0]);
  });

  it.each([
    [["abc", "red", "cat"], "bad-number", 'column 1 "temp" expected a number, got "abc"'],
    [
      ["NaN", "red", "cat"],
      "bad-number",
      'column 1 "temp" expected a finite number within float32 range, got "NaN"',
    ],
    [["", "red", "cat"], "missing-value", 'column 1 "temp" is empty and has no default'],
    [["1", "", "cat"], "missing-value", 'column 2 "color" is empty and has no default'],
    [["1", "red", ""], "missing-label", 'label column 3 "species" is empty'],
    [["1", "red", "cow"], "bad-label", 'label column 3 "species" expected one of "cat", "dog", got "cow"'],
  ])("record %j → %s: %s", (fields, code, reason) => {
    expect(encode(schema(), fields).result).toMatchObject({ code, reason });
  });

  it.each([
    ["3", 3],
    ["5", 'label column 3 "species" expected a class index in [0, 5), got "5"'],
    ["1.5", 'label column 3 "species" expected a class index in [0, 5), got "1.5"'],
  ])("integer classes, label %s → %s", (text, expected) => {
    const s = schema({ label: { name: "species", kind: "integer-classes", numClasses: 5 } });
    const { result } = encode(s, ["1", "red", text]);
    expect(typeof result === "number" ? result : result.reason).toBe(expected);
  });

  it("regression label → the value as read", () => {
    const s = schema({
      label: { name: "species", kind: "regression", stats: { count: 1, mean: 0, std: 0, min: 0, max: 0 } },
    });
    expect(encode(s, ["1", "red", "-2.5"]).result).toBe(-2.5);
  });

  it("prediction data without the label column → label NaN when the label is not required", () => {
    const { result } = encode(schema(), ["10", "red"], ["temp", "color"], false);
    expect(result).toBeNaN();
    expect(() => encode(schema(), ["10", "red"], ["temp", "color"])).toThrow(
      /label column "species" is not in the header/,
    );
  });
});

describe("SchemaEncoder, categorical encodings (properties)", () => {
  // Blank text is a missing value, not a category.
  const text = fc.string({ minLength: 1, maxLength: 4 }).filter((s) => s.trim() !== "");
  const vocabularyArb = fc.uniqueArray(text, { minLength: 1, maxLength: 30 });
  const layout = fc.record({
    vocabulary: vocabularyArb,
    encoding: fc.constantFrom("one-hot", "embedding", "hashed") as fc.Arbitrary<
      "one-hot" | "embedding" | "hashed"
    >,
    buckets: fc.integer({ min: 1, max: 64 }),
    values: fc.array(text, { minLength: 1, maxLength: 40 }),
  });

  function categoricalSchema(c: {
    vocabulary: string[];
    encoding: "one-hot" | "embedding" | "hashed";
    buckets: number;
  }): Schema {
    const hashed = c.encoding === "hashed";
    const feature: CategoricalFeature = {
      name: "c",
      kind: "categorical",
      encoding: c.encoding,
      vocabulary: hashed ? [] : c.vocabulary,
      default: null,
      rowsOutsideVocabulary: 0,
      distinct: c.vocabulary.length,
      ...(hashed ? { buckets: c.buckets } : {}),
      ...(c.encoding === "one-hot" ? {} : { embeddingDim: 2 }),
    };
    return {
      version: 2,
      columns: ["c"],
      features: [feature],
      label: null,
      ignored: [],
      normalization: "standard",
      numFeatures: featureWidth(feature),
      fit: { rowsRead: 1, rowsUsed: 1, rowsSkipped: 0, sampleRows: 1 },
      notes: [],
    };
  }

  it("any value → never an all-zero one-hot (exactly one input set), an index in range; OOV counted exactly; same bits every time", () => {
    fc.assert(
      fc.property(layout, (c) => {
        const schema = categoricalSchema(c);
        const encoder = new SchemaEncoder(schema);
        encoder.bind(["c"]);
        const again = new SchemaEncoder(schema);
        again.bind(["c"]);
        const known = new Set(c.vocabulary);
        for (const value of c.values) {
          const out = new Float32Array(schema.numFeatures).fill(7);
          const twice = new Float32Array(schema.numFeatures);
          expect(encoder.encode([value], out)).toBeNaN();
          again.encode([value], twice);
          expect([...out]).toEqual([...twice]);
          if (c.encoding === "one-hot") {
            expect(out.filter((x) => x === 1)).toHaveLength(1);
            expect(out.filter((x) => x === 0)).toHaveLength(schema.numFeatures - 1);
            const hot = out.indexOf(1);
            expect(hot === c.vocabulary.length).toBe(!known.has(value)); // the last input is OOV
          } else if (c.encoding === "embedding") {
            expect(out[0]).toBe(known.has(value) ? c.vocabulary.indexOf(value) + 1 : 0);
          } else {
            expect(out[0]).toBe(hashBucket(value, c.buckets));
          }
        }
        const oov = c.encoding === "hashed" ? 0 : c.values.filter((v) => !known.has(v)).length;
        expect(encoder.unseen.get("c") ?? 0).toBe(oov);
      }),
      { numRuns: 300 },
    );
  });

  it("a default outside the vocabulary → a missing field encodes as OOV, not counted as unseen", () => {
    const schema = categoricalSchema({ vocabulary: ["a", "b"], encoding: "one-hot", buckets: 1 });
    (schema.features[0] as CategoricalFeature).default = "zz";
    const encoder = new SchemaEncoder(schema);
    encoder.bind(["c"]);
    const out = new Float32Array(3);
    encoder.encode([""], out);
    expect([...out]).toEqual([0, 0, 1]);
    expect(encoder.unseen.size).toBe(0);
  });

  it("date column → its parts, year normalized; a value that is not an ISO date → bad-date naming the column", () => {
    const schema: Schema = {
      version: 2,
      columns: ["d"],
      features: [
        {
          name: "d",
          kind: "date",
          default: null,
          parts: ["year", "month", "dayOfWeek", "hour"],
          year: { count: 2, mean: 2024, std: 0.5, min: 2023.5, max: 2024.5 },
        },
      ],
      label: null,
      ignored: [],
      normalization: "standard",
      numFeatures: 4,
      fit: { rowsRead: 2, rowsUsed: 2, rowsSkipped: 0, sampleRows: 2 },
      notes: [],
    };
    const encoder = new SchemaEncoder(schema);
    encoder.bind(["d"]);
    const out = new Float32Array(4);
    expect(encoder.encode(["2024-01-01T12:00:00Z"], out)).toBeNaN();
    const year = (2024 + 0.5 / 366 - 2024) / 0.5;
    expect([...out]).toEqual([Math.fround(year), 0, 0, 0.5]);
    expect(encoder.encode(["1704110400"], out)).toMatchObject({
      code: "bad-date",
      reason: expect.stringMatching(/^column 1 "d" expected an ISO date or timestamp/),
    });
    expect(encoder.encode([""], out)).toMatchObject({ code: "missing-value" });
  });
});
