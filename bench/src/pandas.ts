import { execFile } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { type BenchInput, type Contender, isMixed, type RunOutcome } from "./contenders.ts";

const run = promisify(execFile);
const PYTHON = "/usr/bin/python3";
const SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), "pandas_read.py");

/** Null when /usr/bin/python3 imports pandas, else why the pandas contenders are skipped. */
async function pandasMissing(): Promise<string | null> {
  try {
    await run(PYTHON, ["-c", "import pandas, numpy"]);
    return null;
  } catch {
    return "skipped: /usr/bin/python3 with pandas not found (Debian: apt-get install python3-pandas)";
  }
}

/** Runs the script in a fresh Python process; its own clock and peak RSS are the figures (imports not timed). */
async function readCsv(input: BenchInput, mode: "whole" | "chunks"): Promise<RunOutcome> {
  const { data } = input;
  const spec = isMixed(data)
    ? {
        label: data.labelColumn,
        numeric: data.numericColumns,
        categorical: data.categoricalColumn,
        categories: data.categories,
      }
    : { label: data.labelColumn, numeric: null };
  const { stdout } = await run(PYTHON, [SCRIPT, data.file, mode, JSON.stringify(spec)], {
    maxBuffer: 1 << 20,
  });
  return JSON.parse(stdout.trim().split("\n").at(-1) ?? "{}") as RunOutcome;
}

export const pandasReadCsv: Contender = {
  id: "pandasReadCsv",
  label: "pandas.read_csv (float32) → arrays",
  unavailable: pandasMissing,
  run: (input) => readCsv(input, "whole"),
};

export const pandasReadCsvChunks: Contender = {
  id: "pandasReadCsvChunks",
  secondary: true,
  label: "pandas.read_csv (float32, chunksize 100k) → arrays",
  unavailable: pandasMissing,
  run: (input) => readCsv(input, "chunks"),
};
