import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type IncludeSample, SchemaFitter } from "./fit.ts";
import type { SchemaDraft } from "./infer.ts";

function draft(overrides: Partial<SchemaDraft> = {}): SchemaDraft {
  return {
    columns: ["x", "c", "y"],
    features: [
      { name: "x", kind: "numeric", default: null },
      { name: "c", kind: "categorical", default: null },
    ],
    label: { name: "y", kind: "string-classes" },
    ignored: [],
    normalization: "standard",
    categories: { maxCategories: {}, minFrequency: 1, maxOneHot: 16, hashBuckets: null },
    dateFeatures: "cyclical",
    sampleRows: 0,
    notes: [],
    ...overrides,
  };
}

function fitRows(d: SchemaDraft, rows: string[][], include?: IncludeSample) {
  const fitter = new SchemaFitter(d);
  fitter.bind(d.columns, { file: null, line: null });
  const problems = rows.map((row) => fitter.add(row, include));
  return {
    schema: fitter.finish({ rowsRead: rows.length, rowsSkipped: problems.filter(Boolean).length }),
    problems,
  };
}

describe("SchemaFitter", () => {
  it("streaming statistics → the two-pass mean and population std of the values", () => {
    const value = fc.double({ min: -1e6, max: 1e6, noNaN: true });
    fc.assert(
      fc.property(fc.array(value, { minLength: 1, maxLength: 60 }), (xs) => {
        const { schema } = fitRows(
          draft(),
          xs.map((x) => [String(x), "a", "k"]),
        );
        const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
        const std = Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / xs.length);
        const stats = schema.features[0]?.kind === "numeric" ? schema.features[0].stats : null;
        expect(stats?.count).toBe(xs.length);
        expect(stats?.mean).toBeCloseTo(mean, 6);
        expect(stats?.std).toBeCloseTo(std, 4);
        expect(stats?.min).toBe(Math.min(...xs) + 0); // String(-0) is "0"
        expect(stats?.max).toBe(Math.max(...xs) + 0);
      }),
      { numRuns: 200 },
    );
  });

  it("vocabularies and string classes → every value seen, in natural order, with samples per class", () => {
    const { schema } = fitRows(draft(), [
      ["1", "b", "class 10"],
      ["2", "a", "class 2"],
      ["3", "b", "class 1"],
      ["4", "b", "class 10"],
    ]);
    expect(schema.features[1]).toMatchObject({ kind: "categorical", vocabulary: ["a", "b"] });
    expect(schema.label).toEqual({
      name: "y",
      kind: "string-classes",
      vocabulary: ["class 1", "class 2", "class 10"],
      counts: [1, 1, 2],
    });
    expect(schema.numFeatures).toBe(4); // x, then a, b and the OOV input
    expect(schema.fit).toEqual({ rowsRead: 4, rowsUsed: 4, rowsSkipped: 0, sampleRows: 0, samplesFitted: 4 });
  });

  it("a bad row → reported, and nothing of it counted", () => {
    const { schema, problems } = fitRows(draft(), [
      ["1", "a", "k"],
      ["9", "zzz", ""], // label missing: x=9 and "zzz" must not reach the stats
      ["abc", "b", "k"],
    ]);
    expect(problems.map((p) => p?.code ?? null)).toEqual([null, "missing-label", "bad-number"]);
    expect(problems[1]?.reason).toBe('label column 3 "y" is empty');
    expect(problems[2]?.reason).toBe('column 1 "x" expected a number, got "abc"');
    expect(schema.features[0]).toMatchObject({ stats: { count: 1, mean: 1 } });
    expect(schema.features[1]).toMatchObject({ vocabulary: ["a"] });
    expect(schema.fit.rowsUsed).toBe(1);
  });

  it("default mean → missing values allowed, default is the mean of the others", () => {
    const d = draft({ features: [{ name: "x", kind: "numeric", default: "mean" }] });
    const { schema, problems } = fitRows(d, [
      ["2", "", "k"],
      ["", "", "k"],
      ["4", "", "k"],
    ]);
    expect(problems).toEqual([null, null, null]);
    expect(schema.features[0]).toMatchObject({ default: 3, stats: { count: 2, mean: 3 } });
  });

  it("integer classes → numClasses is the largest index plus one, counts per index; fractions are bad labels", () => {
    const d = draft({ label: { name: "y", kind: "integer-classes" } });
    const { schema, problems } = fitRows(d, [
      ["1", "a", "0"],
      ["1", "a", "4"],
      ["1", "a", "2.5"],
      ["1", "a", "-1"],
    ]);
    expect(schema.label).toEqual({
      name: "y",
      kind: "integer-classes",
      numClasses: 5,
      counts: [1, 0, 0, 0, 1],
    });
    expect(problems.map((p) => p?.code ?? null)).toEqual([null, null, "bad-label", "bad-label"]);
  });

  it("vocabulary beyond maxCategories → the most frequent values kept, the rest counted as OOV and noted", () => {
    const d = draft({
      categories: { maxCategories: { "*": 2 }, minFrequency: 1, maxOneHot: 16, hashBuckets: null },
    });
    const { schema } = fitRows(
      d,
      ["r", "p", "q", "r", "s", "p"].map((c) => ["1", c, "k"]),
    );
    expect(schema.features[1]).toMatchObject({
      vocabulary: ["p", "r"],
      rowsOutsideVocabulary: 2,
      distinct: 4,
    });
    expect(schema.numFeatures).toBe(1 + 3);
    expect(schema.notes.join()).toMatch(
      /2 rows had one of 2 values outside its vocabulary of 2 .*OOV bucket/,
    );
  });

  it("samples left out by include → statistics and vocabularies equal a fit on the included rows alone", () => {
    const row = fc.tuple(
      fc.oneof(fc.integer({ min: -50, max: 50 }).map(String), fc.constant("bad")),
      fc.constantFrom("p", "q", "r", "s"),
      fc.double({ min: -100, max: 100, noNaN: true }).map(String),
    );
    const d = draft({
      categories: { maxCategories: { "*": 3 }, minFrequency: 1, maxOneHot: 16, hashBuckets: null },
      label: { name: "y", kind: "regression" },
    });
    fc.assert(
      fc.property(fc.array(fc.tuple(row, fc.boolean()), { maxLength: 40 }), (items) => {
        const rows = items.map(([r]) => [...r]);
        const asked: number[] = [];
        const { schema } = fitRows(d, rows, (position) => {
          asked.push(position);
          return (items.filter(([r]) => r[0] !== "bad")[position] as [unknown, boolean])[1];
        });
        const usable = items.filter(([r]) => r[0] !== "bad");
        const alone = fitRows(
          d,
          usable.filter(([, kept]) => kept).map(([r]) => [...r]),
        ).schema;
        expect(asked).toEqual(usable.map((_, i) => i)); // once per usable sample, in order
        expect(schema.features).toEqual(alone.features);
        expect(schema.label).toEqual(alone.label);
        expect(schema.fit.rowsUsed).toBe(usable.length);
        expect(schema.fit.samplesFitted).toBe(alone.fit.rowsUsed);
      }),
      { numRuns: 100 },
    );
  });

  it.each([
    ["string-classes", ["a", "b", "c"], { vocabulary: ["a", "b", "c"], counts: [1, 1, 0] }, '"c"'],
    ["integer-classes", ["0", "1", "7"], { numClasses: 8, counts: [1, 1, 0, 0, 0, 0, 0, 0] }, '"7"'],
  ] as const)(
    "%s: a class only in left-out samples → still a class with count 0 (counts are of fitted samples), and a note names it",
    (kind, labels, expected, named) => {
      const d = draft({ label: { name: "y", kind } });
      const rows = labels.map((y) => ["1", "p", y]);
      const { schema } = fitRows(d, rows, (position) => position < 2);
      expect(schema.label).toMatchObject(expected);
      expect(schema.notes.join("\n")).toContain(`classes ${named} occur only in samples left out of fitting`);
      expect(fitRows(d, rows).schema.notes).toEqual([]);
    },
  );

  it("a file without a needed column → missing-column naming the file and header line", () => {
    const fitter = new SchemaFitter(draft());
    expect(() => fitter.bind(["x", "y"], { file: "b.csv", line: 1 })).toThrow(
      /^b\.csv:1: feature column "c" is not in the header/,
    );
  });
});
