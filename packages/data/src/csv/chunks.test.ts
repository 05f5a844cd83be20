import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createPipeline } from "../pipeline/pipeline.ts";
import type { PipelineState } from "../pipeline/state.ts";
import { tempDir } from "../row-index/test-helpers.ts";
import type { Schema } from "../schema/types.ts";
import type { Batch, RowRef, SampleChunk, SampleSource } from "../types.ts";
import { numericCsvCase } from "./numeric-arbitraries.test-helpers.ts";
import { type CsvSourceOptions, csvSource } from "./source.ts";

const dir = tempDir("stepwise-chunks-");
let serial = 0;

interface Outcome {
  /** Per sample: feature bits, label, provenance. */
  samples: [number[], number, RowRef][];
  error: string | null;
  summary: unknown;
  rejects: string | null;
}

const bitsOf = (features: Float32Array) => [...new Uint32Array(Float32Array.from(features).buffer)];

/** One pass through `stream()` (per sample, the reference) or `chunks()` (the fast path). */
async function onePass(options: CsvSourceOptions, how: "stream" | "chunks"): Promise<Outcome> {
  const rejects = options.onBadRecord === "quarantine" ? join(dir, `r${serial++}.csv`) : null;
  const source = csvSource({ ...options, ...(rejects ? { rejects } : {}) });
  const samples: Outcome["samples"] = [];
  let error: string | null = null;
  try {
    if (how === "stream") {
      for await (const s of source.stream()) samples.push([bitsOf(s.features), s.label, s.source]);
    } else {
      for await (const chunk of (source.chunks as () => AsyncIterable<SampleChunk>)()) {
        for (let i = 0; i < chunk.numSamples; i++) {
          const f = chunk.numFeatures;
          const features = chunk.features.subarray(i * f, (i + 1) * f);
          samples.push([bitsOf(features), chunk.labels[i] as number, chunk.rows[i] as RowRef]);
        }
      }
    }
  } catch (e) {
    error = `${(e as Error).name}: ${(e as Error).message}`;
  }
  const summary = { ...source.summary(), rejects: null };
  return {
    samples,
    error,
    summary,
    rejects: rejects ? await readFile(rejects, "utf8").catch(() => null) : null,
  };
}

describe("csvSource chunks() = stream()", () => {
  it("random numeric-ish files, chunk sizes and policies → same samples (bit for bit), errors, counts and rejects", async () => {
    let fastSamples = 0;
    await fc.assert(
      fc.asyncProperty(
        numericCsvCase,
        fc.constantFrom("error", "skip", "quarantine") as fc.Arbitrary<"error" | "skip" | "quarantine">,
        fc.constantFrom(1, 3, 16, 64, 1 << 16),
        fc.boolean(),
        async (c, onBadRecord, chunkBytes, declare) => {
          const path = join(dir, `f${serial++}.csv`);
          await writeFile(path, c.text);
          const options: CsvSourceOptions = {
            paths: path,
            schema: c.schema,
            delimiter: c.delimiter,
            onBadRecord,
            chunkBytes,
            ...(declare ? { numSamples: 3 } : {}),
          };
          const reference = await onePass(options, "stream");
          const fast = await onePass(options, "chunks");
          expect(fast).toEqual(reference);
          fastSamples += fast.samples.length;
        },
      ),
      { numRuns: 300 },
    );
    expect(fastSamples).toBeGreaterThan(500); // most files have good rows: the comparison is not vacuous
  });

  it("two files, the second with its columns in another order → same samples and row indices across files", async () => {
    const a = join(dir, `a${serial++}.csv`);
    const b = join(dir, `b${serial++}.csv`);
    await writeFile(a, "x,y\n1,2\n3,4\n");
    await writeFile(b, "y,x\r\n5,6\r\n\r\n7,8\r\n");
    const schema = {
      version: 2 as const,
      columns: ["x", "y"],
      features: [
        {
          name: "x",
          kind: "numeric" as const,
          default: null,
          stats: { count: 2, mean: 0, std: 1, min: 0, max: 1 },
        },
      ],
      label: { name: "y", kind: "regression" as const, stats: { count: 2, mean: 0, std: 1, min: 0, max: 1 } },
      ignored: [],
      normalization: "none" as const,
      numFeatures: 1,
      fit: { rowsRead: 4, rowsUsed: 4, rowsSkipped: 0, sampleRows: 4 },
      notes: [],
    };
    const options = { paths: [a, b], schema };
    const fast = await onePass(options, "chunks");
    expect(fast).toEqual(await onePass(options, "stream"));
    expect(fast.samples.map(([, label, ref]) => [label, ref.index, ref.fileIndex, ref.line])).toEqual([
      [2, 0, 0, 2],
      [4, 1, 0, 3],
      [5, 2, 1, 2],
      [7, 3, 1, 4],
    ]);
  });

  it("a bad row under error, then an unseen category in the same chunk → the category is not counted, as per sample", async () => {
    const path = join(dir, `u${serial++}.csv`);
    await writeFile(path, "c,y\nred,x\nblue,1\n");
    const schema = {
      version: 2 as const,
      columns: ["c", "y"],
      features: [
        {
          name: "c",
          kind: "categorical" as const,
          encoding: "one-hot" as const,
          oovInput: false,
          distinct: 0,
          default: null,
          vocabulary: ["red"],
          rowsOutsideVocabulary: 0,
        },
      ],
      label: { name: "y", kind: "regression" as const, stats: { count: 2, mean: 0, std: 1, min: 0, max: 1 } },
      ignored: [],
      normalization: "none" as const,
      numFeatures: 1,
      fit: { rowsRead: 2, rowsUsed: 2, rowsSkipped: 0, sampleRows: 2 },
      notes: [],
    };
    const fast = await onePass({ paths: path, schema }, "chunks");
    expect(fast).toEqual(await onePass({ paths: path, schema }, "stream"));
    expect(fast.error).toContain(":2: ");
    expect((fast.summary as { unseenCategories: object }).unseenCategories).toEqual({});
  });

  it("a gzip file, and a missing file → the same samples, and the same error, as per sample", async () => {
    const gz = join(dir, `g${serial++}.csv.gz`);
    const rows = Array.from({ length: 500 }, (_, i) => `${i % 9}.25,${i}`);
    await writeFile(gz, gzipSync(["x,y", ...rows].join("\r\n")));
    const schema = {
      version: 2 as const,
      columns: ["x", "y"],
      features: [
        {
          name: "x",
          kind: "numeric" as const,
          default: null,
          stats: { count: 2, mean: 0, std: 1, min: 0, max: 1 },
        },
      ],
      label: { name: "y", kind: "regression" as const, stats: { count: 2, mean: 0, std: 1, min: 0, max: 1 } },
      ignored: [],
      normalization: "none" as const,
      numFeatures: 1,
      fit: { rowsRead: 2, rowsUsed: 2, rowsSkipped: 0, sampleRows: 2 },
      notes: [],
    };
    const fast = await onePass({ paths: gz, schema, chunkBytes: 300 }, "chunks");
    expect(fast).toEqual(await onePass({ paths: gz, schema, chunkBytes: 300 }, "stream"));
    expect(fast.samples).toHaveLength(500);
    const missing = { paths: [gz, join(dir, "nope.csv")], schema };
    const failed = await onePass(missing, "chunks");
    expect(failed).toEqual(await onePass(missing, "stream"));
    expect(failed.error).toMatch(/nope\.csv/);
  });

  it("parser csv-parse → no chunks(), the reference path only", () => {
    const source = csvSource({
      paths: "x.csv",
      schema: {
        version: 2,
        columns: ["x"],
        features: [],
        label: null,
        ignored: [],
        normalization: "none",
        numFeatures: 0,
        fit: { rowsRead: 0, rowsUsed: 0, rowsSkipped: 0, sampleRows: 0 },
        notes: [],
      },
      parser: "csv-parse",
    });
    expect(source.chunks).toBeUndefined();
  });
});

describe("pipeline over csvSource: chunked = per sample", () => {
  const schema: Schema = {
    version: 2,
    columns: ["a", "b", "c", "label"],
    features: ["a", "b", "c"].map((name) => ({
      name,
      kind: "numeric" as const,
      default: null,
      stats: { count: 2, mean: 0.5, std: 3, min: -9, max: 9 },
    })),
    label: { name: "label", kind: "integer-classes", numClasses: 4 },
    ignored: [],
    normalization: "standard",
    numFeatures: 3,
    fit: { rowsRead: 0, rowsUsed: 0, rowsSkipped: 0, sampleRows: 0 },
    notes: [],
  };
  /** 300 rows, every 37th one bad (a letter where a number belongs): 292 samples. */
  const isBad = (i: number) => i % 37 === 5;
  const numSamples = Array.from({ length: 300 }, (_, i) => i).filter((i) => !isBad(i)).length;
  const text = [
    "a,b,c,label",
    ...Array.from({ length: 300 }, (_, i) =>
      isBad(i) ? `${i},x,1,${i % 4}` : `${((i * 7) % 19) - 9}.${i % 10},${-i / 8},${i % 5}e-1,${i % 4}`,
    ),
  ].join("\n");
  const hide = (source: SampleSource): SampleSource => ({
    numFeatures: source.numFeatures,
    numSamples: source.numSamples,
    stream: () => source.stream(),
  });
  const view = (b: Batch) => [
    b.step,
    b.epoch,
    b.pass,
    b.batchInPass,
    b.rows.map((r) => r.line),
    bitsOf(b.xs),
    [...b.ys],
  ];

  async function run(path: string, chunked: boolean, state?: PipelineState) {
    const source = csvSource({ paths: path, schema, onBadRecord: "skip", numSamples, chunkBytes: 200 });
    const pipeline = await createPipeline({
      source: chunked ? source : hide(source),
      batchSize: 16,
      seed: 3,
      shuffleBuffer: 50,
      stepsPerEpoch: 7,
      epochs: 6,
      ...(state ? { state } : {}),
    });
    const batches: unknown[] = [];
    const states: PipelineState[] = [];
    for await (const batch of pipeline.batches()) {
      batches.push(view(batch));
      states.push(pipeline.stateAfter(batch));
    }
    // Counts of completed passes only: a pass abandoned midway has been read a chunk further in chunks.
    const { passesCompleted } = source.summary();
    return { batches, states, passesCompleted };
  }

  it("epochs across pass boundaries, then a resume mid-epoch → identical batches, states and counts", async () => {
    const path = join(dir, `p${serial++}.csv`);
    await writeFile(path, text);
    const fast = await run(path, true);
    const reference = await run(path, false);
    expect(fast).toEqual(reference);
    expect(fast.batches).toHaveLength(42);
    const at = fast.states[17] as PipelineState;
    const resumed = await run(path, true, at);
    expect(resumed.batches).toEqual(reference.batches.slice(18));
    expect(resumed).toEqual(await run(path, false, at));
  });
});
