import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { csvSource } from "../csv/source.ts";
import { tempDir } from "../row-index/test-helpers.ts";
import type { Schema } from "../schema/types.ts";
import type { Batch, SampleChunk } from "../types.ts";
import { createPipeline } from "./pipeline.ts";
import { collect } from "./test-helpers.ts";
import { createWorkerSource } from "./worker-source.ts";

const helpers = new URL("./test-helpers.ts", import.meta.url).href;
const data = new URL("../index.ts", import.meta.url).href;

const schema: Schema = {
  version: 2,
  columns: ["x", "y", "label"],
  features: ["x", "y"].map((name) => ({
    name,
    kind: "numeric" as const,
    default: null,
    stats: { count: 2, mean: 1, std: 2, min: 0, max: 9 },
  })),
  label: { name: "label", kind: "integer-classes", numClasses: 3 },
  ignored: [],
  normalization: "standard",
  numFeatures: 2,
  fit: { rowsRead: 0, rowsUsed: 0, rowsSkipped: 0, sampleRows: 0 },
  notes: [],
};

const dir = tempDir("stepwise-worker-source-");

const view = (b: Batch) => [b.step, b.pass, b.rows, [...b.xs], [...b.ys]];

describe("createWorkerSource", () => {
  it("CSV source read in a worker → the same batches, provenance included, as read on this thread", async () => {
    const path = join(dir, "a.csv");
    const lines = Array.from({ length: 150 }, (_, i) => `${i % 7}.5,${-i},${i % 3}`);
    await writeFile(path, ["x,y,label", ...lines].join("\n"));
    const args = { paths: path, schema, numSamples: 150, chunkBytes: 64 };
    const options = { batchSize: 8, seed: 5, shuffleBuffer: 20, stepsPerEpoch: 12, epochs: 3 };
    const source = await createWorkerSource(
      { module: data, export: "csvSource", args: [args] },
      { bufferChunks: 2 },
    );
    try {
      expect([source.numFeatures, source.numSamples]).toEqual([2, 150]);
      const remote = await collect((await createPipeline({ source, ...options })).batches());
      const local = await collect((await createPipeline({ source: csvSource(args), ...options })).batches());
      expect(remote.map(view)).toEqual(local.map(view));
      expect(remote).toHaveLength(36);
    } finally {
      await source.close();
    }
  });

  it("passes abandoned midway and passes read at once → every chunk as read on this thread (shared memory is refilled only when handed back)", async () => {
    const path = join(dir, "passes.csv");
    const lines = Array.from({ length: 300 }, (_, i) => `${i}.25,${-i},${i % 3}`);
    await writeFile(path, ["x,y,label", ...lines].join("\n"));
    const args = { paths: path, schema, chunkBytes: 50 };
    const source = await createWorkerSource(
      { module: data, export: "csvSource", args: [args] },
      { bufferChunks: 1 },
    );
    const samples = (chunk: SampleChunk) =>
      Array.from({ length: chunk.numSamples }, (_, i) => [
        chunk.rows[i]?.line,
        chunk.labels[i],
        ...chunk.features.subarray(2 * i, 2 * i + 2),
      ]);
    const local = (await collect(csvSource(args).stream())).map((s) => [
      s.source.line,
      s.label,
      ...s.features,
    ]);
    try {
      for (const stop of [1, 3, 7]) {
        const seen: unknown[] = [];
        for await (const chunk of source.chunks()) {
          seen.push(...samples(chunk));
          if (seen.length >= stop) break;
        }
        expect(seen).toEqual(local.slice(0, seen.length));
      }
      // Two passes at once, read in turns: each chunk must stay intact until its pass asks for the next.
      const a = source.chunks()[Symbol.asyncIterator]();
      const b = source.chunks()[Symbol.asyncIterator]();
      const seenA: unknown[] = [];
      const seenB: unknown[] = [];
      for (let doneA = false, doneB = false; !doneA || !doneB; ) {
        const x: IteratorResult<SampleChunk> | null = doneA ? null : await a.next();
        const y: IteratorResult<SampleChunk> | null = doneB ? null : await b.next();
        if (x !== null && !x.done) seenA.push(...samples(x.value));
        if (y !== null && !y.done) seenB.push(...samples(y.value));
        doneA ||= x?.done === true;
        doneB ||= y?.done === true;
      }
      expect(seenA).toEqual(local);
      expect(seenB).toEqual(local);
    } finally {
      await source.close();
    }
  });

  it("a bad record under policy error → the rows before it, then the DataError with its file, line and code", async () => {
    const path = join(dir, "bad.csv");
    await writeFile(path, "x,y,label\n1,2,0\n3,4,1\n5,oops,2\n");
    const source = await createWorkerSource({
      module: data,
      export: "csvSource",
      args: [{ paths: path, schema }],
    });
    try {
      const seen: number[] = [];
      const error = await (async () => {
        for await (const sample of source.stream()) seen.push(sample.label);
      })().catch((e: unknown) => e);
      expect(seen).toEqual([0, 1]);
      expect(error).toMatchObject({
        name: "DataError",
        code: "bad-number",
        file: path,
        line: 4,
        columnNumber: 2,
      });
      expect((error as Error).message).toBe(`${path}:4: column 2 "y" expected a number, got "oops"`);
    } finally {
      await source.close();
    }
  });

  it("a per-sample source → chunked in the worker, the same samples", async () => {
    const source = await createWorkerSource({ module: helpers, export: "streamSource", args: [9, 2, true] });
    try {
      const samples = await collect(source.stream());
      expect(samples.map((s) => [s.label, [...s.features]])).toEqual(
        Array.from({ length: 9 }, (_, i) => [i, [i, i + 0.5]]),
      );
    } finally {
      await source.close();
    }
  });

  it("a module without the export → rejects with the worker's message", async () => {
    await expect(createWorkerSource({ module: data, export: "nope" })).rejects.toThrow(
      'has no function export "nope"',
    );
  });
});
