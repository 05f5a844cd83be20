import { describe, expect, it } from "vitest";
import { draftSchema } from "./infer.ts";
import { KindTally } from "./kinds.ts";

const columns = ["id", "temp", "color", "note", "day", "empty", "y"];
const colors = ["red", "green", "blue"];
const sample = Array.from({ length: 30 }, (_, i) => [
  String(i + 1),
  (20 + (i % 7) * 0.5).toFixed(1),
  colors[i % 3] as string,
  `free text ${i * 7919}`,
  `2024-01-${String((i % 28) + 1).padStart(2, "0")}`,
  "",
  String(i % 3),
]);

describe("draftSchema", () => {
  it("default rules → numeric, categorical, ISO dates, and ignored ids, text, empty columns", () => {
    const draft = draftSchema(columns, KindTally.of(columns.length, sample), { label: "y" });
    expect(draft.features.map((f) => [f.name, f.kind])).toEqual([
      ["temp", "numeric"],
      ["color", "categorical"],
      ["day", "date"],
    ]);
    expect(draft.features[2]).toMatchObject({ hasTime: false });
    expect(draft.ignored.map((c) => c.name)).toEqual(["id", "note", "empty"]);
    expect(draft.ignored[0]?.reason).toMatch(/row counter/);
    expect(draft.ignored[1]?.reason).toMatch(/free text/);
    expect(draft.label).toEqual({ name: "y", kind: "integer-classes" });
  });

  it.each([
    ["integers 0..2", ["0", "1", "2", "1"], "integer-classes"],
    ["fractions", ["0.5", "1", "2"], "regression"],
    ["negative integers", ["-1", "0", "1"], "regression"],
    ["names", ["cat", "dog", "cat"], "string-classes"],
    ["numbers and a name", ["1", "2", "x"], "string-classes"],
  ])("label values %s → %s", (_name, values, kind) => {
    const rows = values.map((v, i) => [String(i * 3.5), v]);
    expect(draftSchema(["x", "y"], KindTally.of(2, rows), { label: "y" }).label?.kind).toBe(kind);
  });

  it("many distinct integer labels → regression unless labelKind says otherwise", () => {
    const rows = Array.from({ length: 50 }, (_, i) => [String(i % 5), String(i)]);
    expect(draftSchema(["x", "y"], KindTally.of(2, rows), { label: "y" }).label?.kind).toBe("regression");
    expect(
      draftSchema(["x", "y"], KindTally.of(2, rows), { label: "y", labelKind: "integer-classes" }).label
        ?.kind,
    ).toBe("integer-classes");
  });

  it("overrides → features in the listed order with forced kinds and defaults", () => {
    const draft = draftSchema(columns, KindTally.of(columns.length, sample), {
      label: "y",
      features: ["color", "id", "note"],
      categorical: ["note"],
      defaults: { id: "mean", color: "red" },
    });
    expect(draft.features).toEqual([
      { name: "color", kind: "categorical", default: "red" },
      { name: "id", kind: "numeric", default: "mean" },
      { name: "note", kind: "categorical", default: null },
    ]);
    expect(draft.ignored.map((c) => [c.name, c.reason])).toContainEqual(["temp", "not in the features list"]);
  });

  it("ignore list → those columns ignored even when numeric", () => {
    const draft = draftSchema(columns, KindTally.of(columns.length, sample), {
      label: "y",
      ignore: ["temp"],
    });
    expect(draft.features.map((f) => f.name)).toEqual(["color", "day"]);
  });

  it.each([
    [
      "a label not in the header",
      { label: "nope" },
      "missing-column",
      /label column "nope" is not in the header/,
    ],
    ["a feature not in the header", { features: ["temp", "zz"] }, "missing-column", /feature column "zz"/],
    ["the label among the features", { label: "y", features: ["y"] }, "options", /also listed in feature/],
    [
      "a column both numeric and categorical",
      { numeric: ["temp"], categorical: ["temp"] },
      "options",
      /contradictory/,
    ],
    [
      "a listed feature without any value",
      { features: ["empty"] },
      "options",
      /feature "empty" cannot be encoded: no values in any row/,
    ],
    ["a default for a date column", { defaults: { day: "2024-01-01" } }, "options", /takes no default/],
    ["minFrequency 0", { minFrequency: 0 }, "options", /minFrequency must be a positive integer/],
    [
      "maxCategories for a column not in the header",
      { maxCategories: { nope: 3, "*": 2 } },
      "missing-column",
      /^d\.csv:1: maxCategories column "nope" is not in the header \(columns: id, temp/,
    ],
    ["dateFeatures typo", { dateFeatures: "all" as never }, "options", /dateFeatures must be one of/],
    [
      "a text default on a numeric column",
      { defaults: { temp: "warm" } },
      "options",
      /finite number or "mean"/,
    ],
    ["a default for an ignored column", { defaults: { note: "x" } }, "options", /not a feature/],
    ["maxCategories 0", { maxCategories: 0 }, "options", /maxCategories must be a positive integer/],
  ])("%s → DataError %s", (_name, options, code, message) => {
    expect(() =>
      draftSchema(columns, KindTally.of(columns.length, sample), options, { file: "d.csv", line: 1 }),
    ).toThrow(expect.objectContaining({ name: "DataError", code, message: expect.stringMatching(message) }));
  });

  it("a missing column → message starts with file:line of the header", () => {
    expect(() =>
      draftSchema(
        columns,
        KindTally.of(columns.length, sample),
        { label: "nope" },
        { file: "d.csv", line: 1 },
      ),
    ).toThrow(/^d\.csv:1: label column/);
  });
});
