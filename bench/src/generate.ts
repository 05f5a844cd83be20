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
