import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DataError } from "../errors.ts";
import { tempDir } from "../row-index/test-helpers.ts";
import type { Schema } from "../schema/types.ts";
import { SourceError } from "../sources/errors.ts";
import { createPipeline } from "./pipeline.ts";
import type { PipelineState } from "./state.ts";
import { collect, first, memorySource, streamSource, summary } from "./test-helpers.ts";
import { createWorkerPipeline } from "./worker.ts";
import type { WorkerPipelineSpec } from "./worker-protocol.ts";

const helpers = new URL("./test-helpers.ts", import.meta.url).href;
const options = { batchSize: 4, seed: 21, stepsPerEpoch: 5, epochs: 3 };

describe("createWorkerPipeline", () => {
  it("stream source in a worker → the same batches (rows, features, labels) as in-process", async () => {
    const spec: WorkerPipelineSpec = {
      source: { module: helpers, export: "streamSource", args: [18] },
      options,
    };
    const worker = await createWorkerPipeline(spec, { bufferSize: 2 });
    try {
      const local = await collect((await createPipeline({ source: streamSource(18), ...options })).batches());
      const remote = await collect(worker.batches());
      expect(summary(remote)).toEqual(summary(local));
      expect(remote.map((b) => [...b.xs])).toEqual(local.map((b) => [...b.xs]));
      expect(remote[0]?.xs).toBeInstanceOf(Float32Array);
      expect(worker.numSamples).toBe(18); // discovered in the worker, reported back
    } finally {
      await worker.close();
    }
  });

  it("breaking out mid-epoch, then stateAfter the last batch → an in-process resume continues exactly", async () => {
    const spec: WorkerPipelineSpec = {
      source: { module: helpers, export: "memorySource", args: [13] },
      options,
    };
    const worker = await createWorkerPipeline(spec, { bufferSize: 3 });
    try {
      const seen = [];
      for await (const batch of worker.epoch(0)) {
        seen.push(batch);
        if (seen.length === 2) break;
      }
      const state = (await worker.stateAfter(first(seen.slice(1)))) as PipelineState;
      expect(state.step).toBe(2);
      const resumed = await createPipeline({ source: memorySource(13), ...options, state });
      const full = await collect((await createPipeline({ source: memorySource(13), ...options })).batches());
      expect(summary(await collect(resumed.batches()))).toEqual(summary(full.slice(2)));
      expect((await collect(worker.epoch(1))).length).toBe(5); // the worker is still usable
    } finally {
      await worker.close();
    }
  });

  it("a package specifier as module → resolved from @stepwise/data (here its own arraySource)", async () => {
    const x = [[0], [1], [2], [3], [4]];
    const spec: WorkerPipelineSpec = {
      source: { module: "@stepwise/data", export: "arraySource", args: [{ x, y: [0, 1, 2, 3, 4] }] },
      options: { batchSize: 2, seed: 3 },
    };
    const worker = await createWorkerPipeline(spec);
    try {
      expect(worker.plan.stepsPerPass).toBe(3);
      const rows = (await collect(worker.epoch(0))).flatMap((b) => b.rows.map((r) => r.index));
      expect([...rows].sort()).toEqual([0, 1, 2, 3, 4]);
    } finally {
      await worker.close();
    }
  });

  it("a consumer holding one batch → the worker never gets more than bufferSize batches ahead", async () => {
    const spec: WorkerPipelineSpec = {
      source: { module: helpers, export: "memorySource", args: [200] },
      options: { batchSize: 2, seed: 1 },
    };
    const worker = await createWorkerPipeline(spec, { bufferSize: 3 });
    try {
      const iterator = worker.epoch(0)[Symbol.asyncIterator]();
      await iterator.next();
      for (let i = 0; i < 5; i++) expect((await worker.getState()).step).toBeLessThanOrEqual(1 + 3);
      await iterator.return?.();
    } finally {
      await worker.close();
    }
  });

  it("a source failing in the worker → the same error class and message on this thread", async () => {
    const spec: WorkerPipelineSpec = {
      source: {
        module: new URL("../sources/array.ts", import.meta.url).href,
        export: "arraySource",
        args: [{ x: [[1]], y: [] }],
      },
      options,
    };
    const start = createWorkerPipeline(spec, {});
    await expect(start).rejects.toThrow(SourceError);
    await expect(createWorkerPipeline(spec, {})).rejects.toThrow("x has 1 samples but y has 0 labels");
  });
  it("a bad record in the worker's CSV source → a DataError with its file, line and column on this thread", async () => {
    const dir = tempDir("worker-");
    const path = join(dir, "bad.csv");
    await writeFile(path, "x,label\n1,0\n2,1\noops,2\n");
    const schema: Schema = {
      version: 2,
      columns: ["x", "label"],
      features: [
        { name: "x", kind: "numeric", default: null, stats: { count: 2, mean: 1, std: 1, min: 0, max: 2 } },
      ],
      label: { name: "label", kind: "integer-classes", numClasses: 3 },
      ignored: [],
      normalization: "none",
      numFeatures: 1,
      fit: { rowsRead: 3, rowsUsed: 3, rowsSkipped: 0, sampleRows: 3 },
      notes: [],
    };
    const pipeline = await createWorkerPipeline({
      source: { module: "@stepwise/data", export: "csvSource", args: [{ paths: path, schema }] },
      options: { batchSize: 2, seed: 1, shuffle: "none" },
    });
    try {
      const error = await collect(pipeline.epoch(0)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DataError);
      expect(error).toMatchObject({ code: "bad-number", file: path, line: 4, columnNumber: 1 });
    } finally {
      await pipeline.close();
    }
  });
});
