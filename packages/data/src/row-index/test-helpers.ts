import { mkdtempSync } from "node:fs";
import { rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, onTestFinished } from "vitest";
import { getCurrentTest } from "vitest/suite";
import type { Schema } from "../schema/types.ts";

/**
 * A fresh temporary folder, removed with everything in it when the test that asked for it ends
 * (passed or failed), or, asked for at module or `describe` level, when that suite ends. Created
 * synchronously so a suite can hold it in a `const`. Not for `beforeAll`, where neither hook can be
 * registered: take it at module level instead.
 */
export function tempDir(prefix = "stepwise-index-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const remove = () => rm(dir, { recursive: true, force: true, maxRetries: 3 });
  if (getCurrentTest()) onTestFinished(remove);
  else afterAll(remove);
  return dir;
}

/**
 * A numeric schema without normalization: features `x` and `y`, regression label `label`, so each
 * encoded sample shows its raw values and rows can be recognised in batches.
 */
export function numericSchema(features: readonly string[] = ["x", "y"], label = "label"): Schema {
  const stats = { count: 1, mean: 0, std: 1, min: 0, max: 1 };
  return {
    version: 2,
    columns: [...features, label],
    features: features.map((name) => ({ name, kind: "numeric", default: null, stats })),
    label: { name: label, kind: "regression", stats },
    ignored: [],
    normalization: "none",
    numFeatures: features.length,
    fit: { rowsRead: 0, rowsUsed: 0, rowsSkipped: 0, sampleRows: 0 },
    notes: [],
  };
}

/** Text of a CSV whose data row i (0-based, from `first`) holds x = i, y = i / 2, label = i. */
export function numericCsv(
  numRows: number,
  options: { first?: number; eol?: string; header?: boolean } = {},
): string {
  const { first = 0, eol = "\n", header = true } = options;
  const lines = header ? ["x,y,label"] : [];
  for (let i = first; i < first + numRows; i++) lines.push(`${i},${i / 2},${i}`);
  return lines.join(eol) + eol;
}

/** Writes `text` to `dir/name` and returns the path. */
export async function writeCsv(dir: string, name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}
