import { describe, expect, it } from "vitest";
import { SchemaEncoder } from "./encode.ts";
import type { CategoricalFeature, Schema } from "./types.ts";

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
