import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir } from "../row-index/test-helpers.ts";
import { SchemaEncoder } from "../schema/encode.ts";
import type { NumericStats, Schema } from "../schema/types.ts";
import { inferSchema } from "./infer.ts";

const dir = tempDir("stepwise-infer-");
let serial = 0;
async function file(content: string): Promise<string> {
  const path = join(dir, `f${serial++}.csv`);
  await writeFile(path, content);
  return path;
}

const colors = ["red", "green", "blue"];
const rows = Array.from({ length: 50 }, (_, i) => ({
  x: (i * 37) % 11,
  c: i < 40 ? colors[i % 2] : "blue",
  y: i % 3,
}));
const text = `x,c,y\n${rows.map((r) => `${r.x},${r.c},${r.y}`).join("\n")}\n`;

/** Population mean and std, two-pass, as the reference for the streaming statistics. */
function reference(xs: readonly number[]): { mean: number; std: number } {
  const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
  return { mean, std: Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / xs.length) };
}

function numericStats(schema: Schema, name: string): NumericStats {
  const feature = schema.features.find((f) => f.name === name);
  if (feature?.kind !== "numeric") throw new Error(`${name} is not numeric`);
  return feature.stats;
}

/** The schema without its statistics: what kind inference decided. */
function kinds(schema: Schema) {
  return {
    features: schema.features.map((f) => [f.name, f.kind, f.default]),
    label: schema.label && [schema.label.name, schema.label.kind],
    ignored: schema.ignored,
  };
}

describe("inferSchema", () => {
  it("statistics and vocabularies → over all rows, not just the sample", async () => {
    const schema = await inferSchema({ paths: await file(text), label: "y", sampleRows: 5 });
    const xs = rows.map((r) => r.x);
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    const std = Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / xs.length);
    expect(schema.features[0]).toMatchObject({
      name: "x",
      kind: "numeric",
      stats: { count: 50, min: 0, max: 10 },
    });
    const stats = schema.features[0]?.kind === "numeric" ? schema.features[0].stats : null;
    expect(stats?.mean).toBeCloseTo(mean, 12);
    expect(stats?.std).toBeCloseTo(std, 12);
    expect(schema.features[1]).toMatchObject({
      name: "c",
      kind: "categorical",
      vocabulary: ["blue", "green", "red"],
    });
    // 50 rows, classes i % 3: 17, 17 and 16 of them.
    expect(schema.label).toEqual({ name: "y", kind: "integer-classes", numClasses: 3, counts: [17, 17, 16] });
    expect(schema.fit).toEqual({
      rowsRead: 50,
      rowsUsed: 50,
      rowsSkipped: 0,
      sampleRows: 50,
      samplesFitted: 50,
    });
    expect(JSON.parse(JSON.stringify(schema))).toEqual(schema);
  });

  it("skip policy → bad rows counted and kept out of the statistics", async () => {
    const path = await file("x,y\n1,a\nzz,b\n3,a\n4\n,b\n");
    const schema = await inferSchema({ paths: path, label: "y", numeric: ["x"], onBadRecord: "skip" });
    expect(schema.fit).toMatchObject({ rowsRead: 5, rowsUsed: 2, rowsSkipped: 3 });
    expect(schema.features[0]).toMatchObject({ stats: { count: 2, mean: 2 } });
  });

  it("error policy → the first bad row's one-line message", async () => {
    const path = await file("x,y\n1,a\nzz,b\n");
    await expect(inferSchema({ paths: path, label: "y", numeric: ["x"] })).rejects.toThrow(
      `${path}:3: column 1 "x" expected a number, got "zz"`,
    );
  });

  it("files with columns in different orders → one schema, values taken by name", async () => {
    const a = await file("x,y\n1,a\n2,b\n");
    const b = await file("y,x\nb,3\na,4\n");
    const schema = await inferSchema({ paths: [a, b], label: "y", sampleRows: 3 });
    expect(schema.features[0]).toMatchObject({ stats: { count: 4, mean: 2.5, min: 1, max: 4 } });
  });

  it.each([
    ["a header-only file", "no-data", ["x,y\n"]],
    ["a file with CR-only line endings", "line-endings", ["x,y\r1,a\r2,b\r"]],
    ["only bad rows under skip", "no-data", ["x,y\nq,1\nr,2\n"]],
    ["a later part without the label column", "missing-column", ["x,y\n1,a\n2,b\n", "x\n3\n"]],
    ["an empty part", "empty-file", ["x,y\n1,a\n", ""]],
  ])("%s → DataError %s", async (_name, code, contents) => {
    const paths = await Promise.all(contents.map(file));
    await expect(
      inferSchema({ paths, label: "y", numeric: ["x"], onBadRecord: "skip" }),
    ).rejects.toMatchObject({ code });
  });

  it("includeSample → statistics and vocabularies of exactly the included rows; kinds and rowsUsed as without it", async () => {
    const path = await file(text);
    const kept = (i: number) => i % 4 !== 3 && i < 40;
    const schema = await inferSchema({ paths: path, label: "y", sampleRows: 5, includeSample: kept });
    const training = rows.filter((_, i) => kept(i));
    const { mean, std } = reference(training.map((r) => r.x));
    const stats = numericStats(schema, "x");
    expect(stats.count).toBe(training.length);
    expect(stats.mean).toBeCloseTo(mean, 12);
    expect(stats.std).toBeCloseTo(std, 12);
    expect(stats.min).toBe(Math.min(...training.map((r) => r.x)));
    expect(stats.max).toBe(Math.max(...training.map((r) => r.x)));
    // "blue" occurs only in rows 40..49, all left out.
    expect(schema.features[1]).toMatchObject({ kind: "categorical", vocabulary: ["green", "red"] });
    expect(schema.fit).toEqual({
      rowsRead: 50,
      rowsUsed: 50,
      rowsSkipped: 0,
      sampleRows: 50,
      samplesFitted: training.length,
    });
    const all = await inferSchema({ paths: path, label: "y", sampleRows: 5 });
    expect(kinds(schema)).toEqual(kinds(all));
  });

  it("a category only in left-out rows → encodes as the OOV input and is counted as unseen", async () => {
    const schema = await inferSchema({ paths: await file(text), label: "y", includeSample: (p) => p < 40 });
    const encoder = new SchemaEncoder(schema);
    encoder.bind(["x", "c", "y"]);
    const out = new Float32Array(schema.numFeatures).fill(9);
    expect(encoder.encode(["3", "blue", "1"], out)).toBe(1);
    expect([...out.subarray(1)]).toEqual([0, 0, 1]);
    expect(encoder.unseen.get("c")).toBe(1);
  });

  it("bad rows under skip → positions number the usable samples only", async () => {
    const path = await file("x,y\n1,a\nzz,b\n3,a\n4\n,b\n5,b\n");
    const asked: number[] = [];
    const schema = await inferSchema({
      paths: path,
      label: "y",
      numeric: ["x"],
      onBadRecord: "skip",
      includeSample: (p) => {
        asked.push(p);
        return p !== 1; // the usable sample x=3
      },
    });
    expect(asked).toEqual([0, 1, 2]);
    expect(schema.fit).toMatchObject({ rowsRead: 6, rowsUsed: 3, rowsSkipped: 3, samplesFitted: 2 });
    expect(numericStats(schema, "x")).toMatchObject({ count: 2, mean: 3, min: 1, max: 5 });
  });

  it("a regression label → its statistics from the included rows only", async () => {
    const data = Array.from({ length: 30 }, (_, i) => ({ x: i % 5, y: (i * 7.25) % 13 }));
    const path = await file(`x,y\n${data.map((r) => `${r.x},${r.y}`).join("\n")}\n`);
    const kept = (i: number) => (i * 5) % 7 < 4;
    const schema = await inferSchema({ paths: path, label: "y", includeSample: kept });
    const ys = data.filter((_, i) => kept(i)).map((r) => r.y);
    const { mean, std } = reference(ys);
    expect(schema.label?.kind).toBe("regression");
    const stats = schema.label?.kind === "regression" ? schema.label.stats : null;
    expect(stats?.count).toBe(ys.length);
    expect(stats?.mean).toBeCloseTo(mean, 12);
    expect(stats?.std).toBeCloseTo(std, 12);
    expect(stats?.min).toBe(Math.min(...ys));
    expect(stats?.max).toBe(Math.max(...ys));
  });

  it("a string class only in left-out rows → still a class, so those rows stay encodable", async () => {
    const path = await file("x,y\n1,a\n2,b\n3,a\n4,z\n");
    const schema = await inferSchema({ paths: path, label: "y", includeSample: (p) => p < 3 });
    // Counts are of the fitted (training) rows: "z" has none.
    expect(schema.label).toEqual({
      name: "y",
      kind: "string-classes",
      vocabulary: ["a", "b", "z"],
      counts: [2, 1, 0],
    });
    expect(schema.notes.join("\n")).toMatch(/classes "z" occur only in samples left out of fitting/);
    expect(numericStats(schema, "x")).toMatchObject({ count: 3, mean: 2 });
  });

  it("includeSample leaving out every sample → DataError no-data", async () => {
    const path = await file("x,y\n1,a\n2,b\n");
    await expect(inferSchema({ paths: path, label: "y", includeSample: () => false })).rejects.toMatchObject({
      code: "no-data",
      message: "no sample to fit: includeSample left out all 2 usable samples",
    });
  });
});

/** A wine-like table: `rows` rows of continuous measurements, class labels 0..2. */
function measurements(rows: number, at: (row: number) => string | null = () => null): string {
  const lines = Array.from({ length: rows }, (_, i) => {
    const malic = at(i) ?? (1 + ((i * 7919) % 400) / 100).toFixed(2);
    return `${(11 + ((i * 104729) % 300) / 100).toFixed(2)},${malic},${i % 3}`;
  });
  return `alcohol,malic_acid,class\n${lines.join("\n")}\n`;
}

const BAD_NUMBERS = ["abc", "n/a", "NaN", "Infinity", "1e400", "0x10", "1_000", "\u0000", "-"];

describe("inferSchema: kinds from every row", () => {
  it.each(BAD_NUMBERS)(
    "one %j in a numeric column → still numeric; error names file:line:column",
    async (bad) => {
      const path = await file(measurements(178, (i) => (i === 2 ? bad : null)));
      const error = await inferSchema({ paths: path, label: "class" }).catch((e) => e);
      expect(error).toMatchObject({ name: "DataError", code: "bad-number", line: 4, column: "malic_acid" });
      expect(error.message).toBe(
        `${path}:4: column 2 "malic_acid" ${error.reason.match(/expected [^,]+/)[0]}, got ${JSON.stringify(bad)}`,
      );
      expect(error.message).toMatch(/expected a (finite |decimal )?number/);
    },
  );

  it.each(BAD_NUMBERS)(
    "one %j under skip → numeric, the row skipped and left out of the statistics",
    async (bad) => {
      const path = await file(measurements(178, (i) => (i === 2 ? bad : null)));
      const schema = await inferSchema({ paths: path, label: "class", onBadRecord: "skip" });
      expect(schema.features.map((f) => [f.name, f.kind])).toEqual([
        ["alcohol", "numeric"],
        ["malic_acid", "numeric"],
      ]);
      expect(schema.ignored).toEqual([]);
      expect(schema.fit).toMatchObject({ rowsRead: 178, rowsUsed: 177, rowsSkipped: 1 });
      expect(numericStats(schema, "malic_acid").count).toBe(177);
      expect(schema.notes.join("\n")).toMatch(/"malic_acid": 1 of 178 values is not a number/);
    },
  );

  it("quarantine → counted like skip while fitting", async () => {
    const path = await file(measurements(100, (i) => (i === 50 ? "n/a" : null)));
    const schema = await inferSchema({ paths: path, label: "class", onBadRecord: "quarantine" });
    expect(schema.fit).toMatchObject({ rowsUsed: 99, rowsSkipped: 1 });
    expect(numericStats(schema, "malic_acid").count).toBe(99);
  });

  it("a pixel column of small integers with one n/a → numeric, not categorical", async () => {
    const lines = Array.from({ length: 300 }, (_, i) => `${i === 7 ? "n/a" : (i * 5) % 17},${i % 10}`);
    const path = await file(`pixel_0_3,digit\n${lines.join("\n")}\n`);
    const schema = await inferSchema({ paths: path, label: "digit", onBadRecord: "skip" });
    expect(schema.features[0]).toMatchObject({ name: "pixel_0_3", kind: "numeric" });
    expect(schema.fit.rowsSkipped).toBe(1);
  });

  it("more than 1 in 20 values not numbers → not numeric, and the reason says why", async () => {
    const path = await file(measurements(100, (i) => (i % 10 === 0 ? `t${i}` : null)));
    const schema = await inferSchema({ paths: path, label: "class" });
    expect(schema.ignored).toEqual([
      { name: "malic_acid", reason: expect.stringMatching(/90% of them numbers, fewer than the 95%/) },
    ]);
  });

  it("a column that turns to text after the first sampleRows rows → decided by the whole file", async () => {
    const lines = Array.from(
      { length: 3000 },
      (_, i) => `${i % 7},${i < 1000 ? String(i % 5) : ["a", "b"][i % 2]},${i % 2}`,
    );
    const path = await file(`x,code,y\n${lines.join("\n")}\n`);
    const schema = await inferSchema({ paths: path, label: "y" });
    expect(schema.features[1]).toMatchObject({ name: "code", kind: "categorical" });
    expect(schema.fit).toMatchObject({ rowsRead: 3000, rowsUsed: 3000, rowsSkipped: 0, sampleRows: 3000 });
  });

  it("a column empty in the first sampleRows rows, numbers later → numeric, fitted on its values", async () => {
    const lines = Array.from({ length: 1500 }, (_, i) => `${i % 7},${i < 1200 ? "" : (i % 13) / 2},${i % 2}`);
    const path = await file(`x,late,y\n${lines.join("\n")}\n`);
    const schema = await inferSchema({ paths: path, label: "y", defaults: { late: "mean" } });
    expect(schema.features[1]).toMatchObject({ name: "late", kind: "numeric", stats: { count: 300 } });
  });

  it("sampleRows → never changes the schema, only how soon fitting starts", async () => {
    const lines = Array.from(
      { length: 400 },
      (_, i) => `${i % 7},${i < 150 ? i : ["a", "b", "c"][i % 3]},${i % 2}`,
    );
    const path = await file(`x,mixed,y\n${lines.join("\n")}\n`);
    const reference = await inferSchema({ paths: path, label: "y" });
    for (const sampleRows of [1, 10, 149, 151, 399, 400]) {
      expect(await inferSchema({ paths: path, label: "y", sampleRows })).toEqual(reference);
    }
  });

  it("a named feature with a bad value in the first rows → numeric, the value a bad record", async () => {
    const path = await file(measurements(60, (i) => (i === 0 ? "abc" : null)));
    const schema = await inferSchema({
      paths: path,
      label: "class",
      features: ["malic_acid"],
      onBadRecord: "skip",
    });
    expect(schema.features).toMatchObject([{ name: "malic_acid", kind: "numeric" }]);
    expect(schema.fit.rowsSkipped).toBe(1);
  });

  it("a class label with one stray text → integer classes, that row a bad label", async () => {
    const path = await file(measurements(90).replace(/,1\n/, ",one\n"));
    const schema = await inferSchema({ paths: path, label: "class", onBadRecord: "skip" });
    // The stray row is skipped: class 1 counts one sample less.
    expect(schema.label).toEqual({
      name: "class",
      kind: "integer-classes",
      numClasses: 3,
      counts: [30, 29, 30],
    });
    expect(schema.fit.rowsSkipped).toBe(1);
    await expect(inferSchema({ paths: path, label: "class" })).rejects.toMatchObject({ code: "bad-label" });
  });

  it("csv-parse path → the same schema", async () => {
    const path = await file(measurements(178, (i) => (i === 100 ? "abc" : null)));
    const fast = await inferSchema({ paths: path, label: "class", onBadRecord: "skip" });
    expect(
      await inferSchema({ paths: path, label: "class", onBadRecord: "skip", parser: "csv-parse" }),
    ).toEqual(fast);
  });
});
