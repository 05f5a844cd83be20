// Checks the bundled datasets against facts published with them (row and class counts,
// column means), so that a damaged or re-exported file is noticed: `tsx examples/verify.ts`.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";

// These files have no quoted fields (checked below), so splitting on commas is exact.
function read(file: string): { header: string[]; rows: string[][] } {
  const text = readFileSync(new URL(file, import.meta.url), "utf8");
  assert.ok(!text.includes('"') && !text.includes("\r"), `${file}: expected no quotes or CR`);
  const [head = "", ...lines] = text.trimEnd().split("\n");
  return { header: head.split(","), rows: lines.map((line) => line.split(",")) };
}

function counts(rows: string[][], column: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const row of rows) out[row[column] ?? ""] = (out[row[column] ?? ""] ?? 0) + 1;
  return out;
}

function mean(rows: string[][], column: number): number {
  return rows.reduce((sum, row) => sum + Number(row[column]), 0) / rows.length;
}

const iris = read("./iris/iris.csv");
assert.deepEqual(iris.header, ["sepal_length", "sepal_width", "petal_length", "petal_width", "species"]);
assert.equal(iris.rows.length, 150);
assert.deepEqual(counts(iris.rows, 4), { setosa: 50, versicolor: 50, virginica: 50 });
// Fisher (1936) column means.
[5.843, 3.057, 3.758, 1.199].forEach((expected, column) => {
  assert.equal(mean(iris.rows, column).toFixed(3), expected.toFixed(3), `iris mean of column ${column}`);
});

const penguins = read("./penguins/penguins.csv");
assert.equal(penguins.rows.length, 344);
assert.ok(penguins.rows.every((row) => row.length === 7));
assert.deepEqual(counts(penguins.rows, 0), { Adelie: 152, Gentoo: 124, Chinstrap: 68 });
assert.deepEqual(counts(penguins.rows, 1), { Torgersen: 52, Biscoe: 168, Dream: 124 });

const weather = read("./weather/weather.csv");
assert.equal(weather.rows.length, 2922);
assert.ok(weather.rows.every((row) => row.length === 7));
// 2012-01-01 … 2015-12-31 is 1461 days (2012 is a leap year), once per city.
assert.deepEqual(counts(weather.rows, 0), { Seattle: 1461, "New York": 1461 });

console.log("examples: iris 150, penguins 344, weather 2922 rows — all checks passed");
