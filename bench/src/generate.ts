import { once } from "node:events";
import { createWriteStream, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { uniformInt } from "pure-rand/distribution/uniformInt";
import { xoroshiro128plus } from "pure-rand/generator/xoroshiro128plus";

/** A generated benchmark input and what is known about it without reading it. */
export interface NumericInput {
  file: string;
  numRows: number;
  numFeatures: number;
  numBytes: number;
  seed: number;
  labelColumn: string;
  featureColumns: string[];
}

/** The mixed file: which columns hold what. */
export interface MixedInput extends NumericInput {
  /** Numeric columns, some fields empty. */
  numericColumns: string[];
  categoricalColumn: string;
  categories: string[];
  /** Class names of the string label. */
  classes: string[];
}

// Bump when the file format changes, so that stale files are regenerated.
const FORMAT_VERSION = 1;
const ROWS_PER_WRITE = 10_000;

/**
 * Numeric CSV: header `f0..f{numFeatures-1},label`, features uniform in [-10, 10] with 4
 * decimals (e.g. `-3.1416`), integer label in [0, 9]. Deterministic from `seed`; reused when a
 * file with the same parameters exists.
 */
export async function numericCsv(
  dir: string,
  options: { numRows: number; numFeatures: number; seed: number },
): Promise<NumericInput> {
  const { numRows, numFeatures, seed } = options;
  const featureColumns = Array.from({ length: numFeatures }, (_, j) => `f${j}`);
  const base = path.join(dir, `numeric-${numRows}x${numFeatures}-seed${seed}`);
  const file = `${base}.csv`;
  const metaFile = `${base}.json`;
  const wanted = { version: FORMAT_VERSION, numRows, numFeatures, seed };
  if (existsSync(file) && existsSync(metaFile)) {
    const meta = JSON.parse(readFileSync(metaFile, "utf8")) as typeof wanted & { numBytes: number };
    const same = Object.entries(wanted).every(([k, v]) => meta[k as keyof typeof wanted] === v);
    if (same && statSync(file).size === meta.numBytes) {
      return {
        file,
        numRows,
        numFeatures,
        numBytes: meta.numBytes,
        seed,
        labelColumn: "label",
        featureColumns,
      };
    }
  }
  mkdirSync(dir, { recursive: true });
  const rng = xoroshiro128plus(seed);
  const out = createWriteStream(file);
  out.write(`${featureColumns.join(",")},label\n`);
  for (let start = 0; start < numRows; start += ROWS_PER_WRITE) {
    let chunk = "";
    const end = Math.min(start + ROWS_PER_WRITE, numRows);
    for (let row = start; row < end; row++) {
      for (let j = 0; j < numFeatures; j++) {
        chunk += `${(uniformInt(rng, -100_000, 100_000) / 10_000).toFixed(4)},`;
      }
      chunk += `${uniformInt(rng, 0, 9)}\n`;
    }
    if (!out.write(chunk)) await once(out, "drain");
  }
  out.end();
  await once(out, "finish");
  const numBytes = statSync(file).size;
  writeFileSync(metaFile, `${JSON.stringify({ ...wanted, numBytes })}\n`);
  return { file, numRows, numFeatures, numBytes, seed, labelColumn: "label", featureColumns };
}

/** Reuses `file` when its metadata says it was written with `wanted`; returns its size, or null. */
function cached(file: string, metaFile: string, wanted: Record<string, unknown>): number | null {
  if (!existsSync(file) || !existsSync(metaFile)) return null;
  const meta = JSON.parse(readFileSync(metaFile, "utf8")) as Record<string, unknown>;
  const same = Object.entries(wanted).every(([k, v]) => meta[k] === v);
  return same && statSync(file).size === meta.numBytes ? (meta.numBytes as number) : null;
}

const CITIES = ["Berlin", "Paris", "New York", "Washington, D.C.", "São Paulo", "Tokyo", "Lagos", "Zürich"];
const CLASSES = ["low", "mid", "high"];
const PHRASES = ["late delivery", "ok", 'said "fine"', "broken, returned", "n/a", "repeat customer", "gift"];
const MIXED_NUMERIC = 8;
const MIXED_FORMAT_VERSION = 1;

/** Quotes a field when CSV needs it (delimiter, quote or line break inside), doubling inner quotes. */
function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/**
 * Mixed CSV: header `id,x0..x7,city,date,comment,label`. `id` counts rows; x0..x7 are uniform in
 * [-10, 10] with 4 decimals, each empty with probability 3%; `city` is one of 8 names (one with a
 * comma, hence quoted, two with non-ASCII letters); `date` is `YYYY-MM-DD`; `comment` is free
 * text, quoted when it holds a comma or a quote, empty in 10% of rows; `label` is low/mid/high.
 * Deterministic from `seed`; reused when a file with the same parameters exists.
 */
export async function mixedCsv(dir: string, options: { numRows: number; seed: number }): Promise<MixedInput> {
  const { numRows, seed } = options;
  const numericColumns = Array.from({ length: MIXED_NUMERIC }, (_, j) => `x${j}`);
  const base = path.join(dir, `mixed-${numRows}-seed${seed}`);
  const file = `${base}.csv`;
  const metaFile = `${base}.json`;
  const wanted = { version: MIXED_FORMAT_VERSION, numRows, seed };
  const input = (numBytes: number): MixedInput => ({
    file,
    numRows,
    numFeatures: MIXED_NUMERIC + CITIES.length,
    numBytes,
    seed,
    labelColumn: "label",
    featureColumns: [...numericColumns, "city"],
    numericColumns,
    categoricalColumn: "city",
    categories: [...CITIES],
    classes: [...CLASSES],
  });
  const known = cached(file, metaFile, wanted);
  if (known !== null) return input(known);
  mkdirSync(dir, { recursive: true });
  const rng = xoroshiro128plus(seed);
  const dates = Array.from({ length: 1461 }, (_, d) =>
    new Date(Date.UTC(2020, 0, 1) + d * 86_400_000).toISOString().slice(0, 10),
  );
  const out = createWriteStream(file);
  out.write(`id,${numericColumns.join(",")},city,date,comment,label\n`);
  for (let start = 0; start < numRows; start += ROWS_PER_WRITE) {
    let chunk = "";
    const end = Math.min(start + ROWS_PER_WRITE, numRows);
    for (let row = start; row < end; row++) {
      chunk += `${row + 1},`;
      for (let j = 0; j < MIXED_NUMERIC; j++) {
        const empty = uniformInt(rng, 0, 99) < 3;
        const value = uniformInt(rng, -100_000, 100_000) / 10_000;
        chunk += empty ? "," : `${value.toFixed(4)},`;
      }
      const city = CITIES[uniformInt(rng, 0, CITIES.length - 1)] as string;
      const date = dates[uniformInt(rng, 0, dates.length - 1)] as string;
      const words = uniformInt(rng, 0, 9) === 0 ? 0 : uniformInt(rng, 1, 3);
      const comment = Array.from(
        { length: words },
        () => PHRASES[uniformInt(rng, 0, PHRASES.length - 1)],
      ).join(" ");
      const label = CLASSES[uniformInt(rng, 0, CLASSES.length - 1)] as string;
      chunk += `${csvField(city)},${date},${csvField(comment)},${label}\n`;
    }
    if (!out.write(chunk)) await once(out, "drain");
  }
  out.end();
  await once(out, "finish");
  const numBytes = statSync(file).size;
  writeFileSync(metaFile, `${JSON.stringify({ ...wanted, numBytes })}\n`);
  return input(numBytes);
}
