/**
 * Measures the row index and the full shuffle on a generated numeric CSV larger than the memory
 * budget (not a test: timings depend on the machine). Each figure comes from a fresh child
 * process, so every peak RSS is its own; the file is read once first so that every contender
 * starts from a warm page cache.
 *
 *   pnpm exec tsx --conditions=@stepwise/source packages/data/scripts/measure-index.ts [--rows 4000000] [--budget 256MiB] [--batch-size 256] [--dir /tmp/…]
 *
 * Prints one line per measurement and a JSON summary (MB = 10^6 bytes).
 */
import { execFileSync } from "node:child_process";
import { createWriteStream, existsSync, rmSync, statSync } from "node:fs";
import { open } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { uniformInt } from "pure-rand/distribution/uniformInt";
import { xoroshiro128plus } from "pure-rand/generator/xoroshiro128plus";
import {
  buildRowIndex,
  countRows,
  createPipeline,
  csvSource,
  openIndexedCsv,
  parseByteSize,
  type SampleSource,
  type Schema,
} from "../src/internals.ts";

const FEATURES = 16;

function flag(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at === -1 ? fallback : (process.argv[at + 1] as string);
}

/** Numeric CSV like the bench's: 16 features in [-10, 10] with 4 decimals, an integer label in [0, 9]. */
async function generate(file: string, rows: number): Promise<void> {
  const out = createWriteStream(file);
  const rng = xoroshiro128plus(42);
  const header = [...Array.from({ length: FEATURES }, (_, i) => `f${i}`), "label"].join(",");
  let chunk = `${header}\n`;
  for (let r = 0; r < rows; r++) {
    const cells: string[] = [];
    for (let f = 0; f < FEATURES; f++) cells.push((uniformInt(rng, -100000, 100000) / 10000).toFixed(4));
    cells.push(String(uniformInt(rng, 0, 9)));
    chunk += `${cells.join(",")}\n`;
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await new Promise<void>((resolve) => out.once("drain", () => resolve()));
      chunk = "";
    }
  }
  out.end(chunk);
  await new Promise<void>((resolve) => out.on("finish", () => resolve()));
}

/** Features f0..f15 unnormalized, label as a regression value: encoding cost without a fitting pass. */
function schema(): Schema {
  const stats = { count: 1, mean: 0, std: 1, min: 0, max: 1 };
  const names = Array.from({ length: FEATURES }, (_, i) => `f${i}`);
  return {
    version: 2,
    columns: [...names, "label"],
    features: names.map((name) => ({ name, kind: "numeric" as const, default: null, stats })),
    label: { name: "label", kind: "regression", stats },
    ignored: [],
    normalization: "none",
    numFeatures: FEATURES,
    fit: { rowsRead: 0, rowsUsed: 0, rowsSkipped: 0, sampleRows: 0 },
    notes: [],
  };
}

async function onePass(source: SampleSource, shuffle: "full" | "none" | "buffer"): Promise<number> {
  const pipeline = await createPipeline({
    source,
    batchSize: Number(flag("batch-size", "256")),
    seed: 1,
    shuffle,
  });
  let rows = 0;
  for await (const batch of pipeline.epoch(0)) rows += batch.batchSize;
  return rows;
}

/** Runs one measurement in this (child) process and prints its JSON. */
async function child(kind: string, file: string, budget: string): Promise<void> {
  const bytes = statSync(file).size;
  // Typed-array memory (what the budget bounds) and V8 heap, sampled while the measurement runs.
  const peak = { arrayBuffers: 0, heapUsed: 0 };
  const sample = () => {
    const m = process.memoryUsage();
    peak.arrayBuffers = Math.max(peak.arrayBuffers, m.arrayBuffers);
    peak.heapUsed = Math.max(peak.heapUsed, m.heapUsed);
  };
  const sampler = setInterval(sample, 20);
  const started = performance.now();
  let rows = 0;
  let extra: Record<string, unknown> = {};
  if (kind === "raw") {
    const handle = await open(file, "r");
    const buffer = Buffer.allocUnsafe(4 << 20);
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) break;
    }
    await handle.close();
  } else if (kind === "count") {
    rows = await countRows(file);
  } else if (kind === "index") {
    // The first run builds and saves the index, the second reads it back from the sidecar.
    const index = await buildRowIndex(file, { indexDir: join(tmpdir(), "stepwise-measure-index") });
    rows = index.numRows;
    extra = { origin: index.origins[0], indexMB: index.indexBytes / 1e6 };
  } else if (kind === "sequential") {
    rows = await onePass(csvSource({ paths: file, schema: schema() }), "none");
  } else {
    const source = await openIndexedCsv({ paths: file, schema: schema(), memoryBudget: budget });
    const opened = performance.now();
    rows = await onePass(source, kind === "full" ? "full" : "none");
    extra = { blockSamples: source.blockSamples, openSeconds: (opened - started) / 1000 };
  }
  const seconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  sample();
  const peakRssMB = (process.resourceUsage().maxRSS * 1024) / 1e6;
  const openSeconds = (extra.openSeconds as number | undefined) ?? 0;
  console.log(
    JSON.stringify({
      kind,
      rows,
      seconds,
      mbPerSecond: bytes / 1e6 / seconds,
      rowsPerSecond: rows / (seconds - openSeconds),
      peakRssMB,
      peakArrayBuffersMB: peak.arrayBuffers / 1e6,
      peakHeapMB: peak.heapUsed / 1e6,
      ...extra,
    }),
  );
}

async function main(): Promise<void> {
  const rows = Number(flag("rows", "4000000"));
  const budget = flag("budget", "256MiB");
  const dir = flag("dir", join(tmpdir(), "stepwise-measure"));
  const file = join(dir, `numeric-${rows}.csv`);
  if (!existsSync(file)) {
    execFileSync("mkdir", ["-p", dir]);
    console.log(`generating ${file} …`);
    await generate(file, rows);
  }
  const sizeMB = statSync(file).size / 1e6;
  console.log(
    `${file}: ${sizeMB.toFixed(0)} MB, ${rows} rows; memory budget ${budget} (${(parseByteSize(budget) / 1e6).toFixed(0)} MB)`,
  );
  const script = fileURLToPath(import.meta.url);
  const tsx = join(process.cwd(), "node_modules/.bin/tsx");
  const run = (kind: string) => {
    const out = execFileSync(
      existsSync(tsx) ? tsx : "tsx",
      ["--conditions=@stepwise/source", script, "--child", kind, file, budget],
      {
        encoding: "utf8",
        maxBuffer: 1 << 20,
      },
    );
    const result = JSON.parse(out.trim().split("\n").at(-1) as string);
    console.log(JSON.stringify(result));
    return result;
  };
  rmSync(join(tmpdir(), "stepwise-measure-index"), { recursive: true, force: true });
  run("raw"); // warms the page cache
  const results = Object.fromEntries(
    ["raw", "count", "index", "index", "sequential", "indexed-none", "full"].map((k, i) => [
      i === 3 ? "index-cached" : k,
      run(k),
    ]),
  );
  rmSync(join(tmpdir(), "stepwise-measure-index"), { recursive: true, force: true });
  const full = results.full;
  const sequential = results.sequential;
  console.log(
    JSON.stringify(
      {
        fileMB: sizeMB,
        rows,
        memoryBudget: budget,
        indexBuildMBps: results.index.mbPerSecond,
        countMBps: results.count.mbPerSecond,
        rawReadMBps: results.raw.mbPerSecond,
        sequentialRowsPerSecond: sequential.rowsPerSecond,
        indexedSequentialRowsPerSecond: results["indexed-none"].rowsPerSecond,
        fullShuffleRowsPerSecond: full.rowsPerSecond,
        fullVsSequential: full.rowsPerSecond / sequential.rowsPerSecond,
        fullPeakRssMB: full.peakRssMB,
        fullPeakArrayBuffersMB: full.peakArrayBuffersMB,
        fullPeakHeapMB: full.peakHeapMB,
        rawReadPeakRssMB: results.raw.peakRssMB,
        sequentialPeakRssMB: sequential.peakRssMB,
        blockSamples: full.blockSamples,
      },
      null,
      2,
    ),
  );
}

const at = process.argv.indexOf("--child");
if (at === -1) await main();
else
  await child(process.argv[at + 1] as string, process.argv[at + 2] as string, process.argv[at + 3] as string);
