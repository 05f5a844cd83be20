import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir } from "../row-index/test-helpers.ts";
import { DISTINCT_LIMIT } from "../schema/kinds.ts";
import type { CategoricalFeature, Schema, SchemaOptions } from "../schema/types.ts";
import { inferDataSchema } from "./infer.ts";

const dir = tempDir("stepwise-categoricals-");
let serial = 0;

async function csv(header: string, rows: readonly string[]): Promise<string> {
  const path = join(dir, `c${serial++}.csv`);
  await writeFile(path, `${header}\n${rows.join("\n")}\n`);
  return path;
}

const feature = (schema: Schema, name: string) => schema.features.find((f) => f.name === name);
const categorical = (schema: Schema, name: string) => feature(schema, name) as CategoricalFeature;

/** `count` rows `city,y`: city `c<i % cities>` (a skewed share for c0), y alternating. */
function cityRows(count: number, cities: number): string[] {
  return Array.from({ length: count }, (_, i) => `c${i % 3 === 0 ? 0 : i % cities},${i % 2}`);
}

async function fit(rows: readonly string[], options: SchemaOptions = {}, header = "city,y"): Promise<Schema> {
  return inferDataSchema({ paths: await csv(header, rows), label: "y", ...options });
}

describe("categorical vocabularies from the whole data", () => {
  it("a value first seen after row 1000 → in the vocabulary (kinds and counts from every row)", async () => {
    const rows = cityRows(3000, 5);
    rows[2500] = "late,1";
    rows[2501] = "late,0";
    const schema = await fit(rows);
    expect(categorical(schema, "city").vocabulary).toEqual(["c0", "c1", "c2", "c3", "c4", "late"]);
    expect(categorical(schema, "city").rowsOutsideVocabulary).toBe(0);
  });

  it("300 values → all kept (no cap of 20), embedded since above maxOneHot", async () => {
    const schema = await fit(Array.from({ length: 3000 }, (_, i) => `c${(i * 7) % 300},${i % 2}`));
    const city = categorical(schema, "city");
    expect(city.vocabulary).toHaveLength(300);
    expect(city).toMatchObject({ encoding: "embedding", rowsOutsideVocabulary: 0 });
    expect(schema.numFeatures).toBe(1);
  });

  it("minFrequency 3 → rarer values go to the OOV bucket, counted and noted", async () => {
    const rows = [...Array(6).fill("a,0"), ...Array(3).fill("b,1"), "c,0", "c,1", "d,0"];
    const schema = await fit(rows, { minFrequency: 3 });
    expect(categorical(schema, "city")).toMatchObject({
      vocabulary: ["a", "b"],
      rowsOutsideVocabulary: 3,
      distinct: 4,
      encoding: "one-hot",
    });
    expect(schema.numFeatures).toBe(3);
    expect(schema.notes.join("\n")).toMatch(/"city": 3 rows had one of 2 values outside its vocabulary of 2/);
  });

  it("maxCategories per column with a default → each column keeps its most frequent values", async () => {
    const rows = Array.from({ length: 60 }, (_, i) => `o${i % 6 === 5 ? 0 : i % 6},d${i % 5},${i % 2}`);
    const schema = await fit(rows, { maxCategories: { origin: 3, "*": 2 } }, "origin,dest,y");
    expect(categorical(schema, "origin").vocabulary).toEqual(["o0", "o1", "o2"]);
    expect(categorical(schema, "origin").rowsOutsideVocabulary).toBe(20);
    expect(categorical(schema, "dest").vocabulary).toEqual(["d0", "d1"]);
  });

  it("hashBuckets → a large vocabulary hashed into that many buckets; small ones stay one-hot", async () => {
    const rows = Array.from({ length: 400 }, (_, i) => `c${i % 100},k${i % 3},${i % 2}`);
    const schema = await fit(rows, { hashBuckets: 32 }, "city,kind,y");
    expect(categorical(schema, "city")).toMatchObject({ encoding: "hashed", buckets: 32, vocabulary: [] });
    expect(categorical(schema, "kind")).toMatchObject({
      encoding: "one-hot",
      vocabulary: ["k0", "k1", "k2"],
    });
    expect(schema.numFeatures).toBe(1 + 4);
  });

  it("a listed feature of free text → kept as categorical (noted), never rejected", async () => {
    const rows = Array.from({ length: 50 }, (_, i) => `note ${i},${i % 2}`);
    const schema = await fit(rows, { features: ["city"] });
    expect(categorical(schema, "city")).toMatchObject({ kind: "categorical", encoding: "embedding" });
    expect(categorical(schema, "city").vocabulary).toHaveLength(50);
    expect(schema.notes.join("\n")).toMatch(
      /"city" is a listed feature though free text or ids .*kept as categorical/,
    );
  });

  it(`more than DISTINCT_LIMIT values in a listed column → hashed, counts bounded`, async () => {
    const rows = Array.from({ length: 2 * (DISTINCT_LIMIT + 5) }, (_, i) => `id${i >> 1},${i % 7},${i % 2}`);
    const unlisted = await fit(rows, {}, "city,x,y");
    expect(unlisted.ignored.map((c) => c.name)).toEqual(["city"]);
    expect(unlisted.ignored[0]?.reason).toMatch(/free text or ids \(at least 10000 distinct values/);
    const schema = await fit(rows, { features: ["city", "x"] }, "city,x,y");
    expect(categorical(schema, "city")).toMatchObject({
      encoding: "hashed",
      buckets: 4096,
      distinct: DISTINCT_LIMIT,
    });
    expect(schema.notes.join("\n")).toMatch(/more than 10000 distinct values: hashed into 4096 buckets/);
  });
});

describe("date columns", () => {
  const rows = Array.from(
    { length: 40 },
    (_, i) =>
      `2024-0${1 + (i % 9)}-1${i % 10} ${String(i % 24).padStart(2, "0")}:15,${1_700_000_000 + i * 3600},${i % 2}`,
  );

  it("ISO timestamps → a date feature, cyclical by default; epoch seconds stay numeric", async () => {
    const schema = await fit(rows, {}, "when,epoch,y");
    expect(feature(schema, "when")).toMatchObject({
      kind: "date",
      parts: ["year", "month_sin", "month_cos", "dayOfWeek_sin", "dayOfWeek_cos", "hour_sin", "hour_cos"],
    });
    expect(feature(schema, "epoch")?.kind).toBe("numeric");
    expect(schema.numFeatures).toBe(8);
  });

  it("dateFeatures basic → year, month, day of week, hour; none → the column ignored", async () => {
    const basic = await fit(rows, { dateFeatures: "basic" }, "when,epoch,y");
    expect(feature(basic, "when")).toMatchObject({ parts: ["year", "month", "dayOfWeek", "hour"] });
    const none = await fit(rows, { dateFeatures: "none" }, "when,epoch,y");
    expect(none.ignored).toEqual([{ name: "when", reason: "dates (dateFeatures none)" }]);
  });

  it("a date that does not exist in a date column → bad record naming line and column", async () => {
    const bad = [...rows];
    bad[30] = `2024-02-30 10:00,1,0`;
    await expect(fit(bad, {}, "when,epoch,y")).rejects.toThrow(
      /c\d+\.csv:32: column 1 "when" expected an ISO date or timestamp .*got "2024-02-30 10:00"/,
    );
  });
});
