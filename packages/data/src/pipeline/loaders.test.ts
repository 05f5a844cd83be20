import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { csvSource } from "../csv/source.ts";
import { openIndexedCsv } from "../row-index/source.ts";
import { numericSchema, tempDir } from "../row-index/test-helpers.ts";
import type { Batch, SampleSource } from "../types.ts";
import type { Pipeline, PipelineOptions } from "./api.ts";
import { PipelineError } from "./errors.ts";
import { createPipeline } from "./pipeline.ts";
import type { PipelineState } from "./state.ts";
import { collect, memorySource, streamSource } from "./test-helpers.ts";

const dir = tempDir("loaders-");
let serial = 0;

/** A CSV whose row i holds x = i, y = i / 4, label = i % 3: every value names its row. */
async function csvFile(numRows: number): Promise<string> {
  const path = join(dir, `d${serial++}.csv`);
  const rows = Array.from({ length: numRows }, (_, i) => `${i},${i / 4},${i % 3}`);
  await writeFile(path, `x,y,label\n${rows.join("\n")}\n`);
  return path;
}

const schema = numericSchema();

/** Everything a consumer can see of a batch. */
const seen = (batch: Batch) => ({
  step: batch.step,
  epoch: batch.epoch,
  stepInEpoch: batch.stepInEpoch,
  pass: batch.pass,
  batchInPass: batch.batchInPass,
  rows: batch.rows.map((row) => [row.index, row.line, (row as { padding?: boolean }).padding === true]),
  xs: [...batch.xs],
  ys: [...batch.ys],
});

/** Every batch of the plan, each with the state taken right after it was handed out. */
async function run(pipeline: Pipeline) {
  const out: { batch: ReturnType<typeof seen>; state: PipelineState }[] = [];
  try {
    for (let epoch = pipeline.plan.initialEpoch; epoch < pipeline.plan.endEpoch; epoch++) {
      for await (const batch of pipeline.epoch(epoch)) {
        out.push({ batch: seen(batch), state: JSON.parse(JSON.stringify(pipeline.getState())) });
      }
    }
  } finally {
    await pipeline.close();
  }
  return out;
}

type Kind = "stream" | "indexed";
const sourceOf = async (kind: Kind, path: string): Promise<SampleSource> =>
  kind === "stream"
    ? csvSource({ paths: path, schema })
    : openIndexedCsv({ paths: path, schema, cache: false });

const cases: [string, Kind, Partial<PipelineOptions>][] = [
  [
    "stream, buffer shuffle, counted first",
    "stream",
    { shuffle: "buffer", shuffleBuffer: 5, count: "always" },
  ],
  [
    "stream, no shuffle, 3 shards (rank 1, padded)",
    "stream",
    { shuffle: "none", numShards: 3, shardIndex: 1 },
  ],
  ["indexed, full shuffle", "indexed", {}],
  [
    "indexed, full shuffle, 2 shards (rank 1), drop remainder",
    "indexed",
    { numShards: 2, shardIndex: 1, dropRemainder: true },
  ],
];

describe("createPipeline loaders", () => {
  it.each(cases)(
    "%s: worker and main → the same plan, the same batches, and the same getState after every batch",
    async (_, kind, extra) => {
      const path = await csvFile(37);
      const options = { batchSize: 4, seed: 11, stepsPerEpoch: 5, epochs: 4, ...extra };
      const main = await createPipeline({ ...options, source: await sourceOf(kind, path), loader: "main" });
      const worker = await createPipeline({
        ...options,
        source: await sourceOf(kind, path),
        loader: "worker",
        worker: { bufferSize: 3 },
      });
      expect([main.loader, worker.loader]).toEqual(["main", "worker"]);
      expect(worker.plan).toEqual(main.plan);
      expect(worker.getState()).toEqual(main.getState());
      const [there, here] = [await run(worker), await run(main)];
      expect(there.length).toBe(20);
      expect(there).toEqual(here);
    },
  );

  it.each(cases)(
    "%s: a state taken from one loader after k batches → the other loader resumes with exactly the rest",
    async (_, kind, extra) => {
      const path = await csvFile(29);
      const options = { batchSize: 3, seed: 5, stepsPerEpoch: 4, epochs: 3, ...extra };
      const make = async (loader: "main" | "worker", state?: PipelineState) =>
        createPipeline({
          ...options,
          source: await sourceOf(kind, path),
          loader,
          ...(state ? { state } : {}),
        });
      const full = await run(await make("main"));
      for (const [from, to] of [
        ["worker", "main"],
        ["main", "worker"],
      ] as const) {
        const first = await make(from);
        let state: PipelineState | null = null;
        let k = 0;
        for await (const _batch of first.epoch(0)) {
          if (++k === 3) {
            state = JSON.parse(JSON.stringify(first.getState())) as PipelineState;
            break;
          }
        }
        await first.close();
        expect(state?.step).toBe(3);
        const resumed = await make(to, state as PipelineState);
        expect(resumed.position).toMatchObject({ step: 3, epoch: 0, stepInEpoch: 3 });
        expect(await run(resumed)).toEqual(full.slice(3));
      }
    },
  );

  it("a stream of unknown length → the worker loader counts it first; its batches are the main loader's", async () => {
    const path = await csvFile(23);
    const options = { batchSize: 4, seed: 3, shuffle: "buffer" as const, shuffleBuffer: 4 };
    const worker = await createPipeline({
      ...options,
      source: csvSource({ paths: path, schema }),
      loader: "worker",
    });
    const main = await createPipeline({
      ...options,
      source: csvSource({ paths: path, schema }),
      loader: "main",
    });
    expect([worker.numSamples, main.numSamples]).toEqual([23, null]);
    const [there, here] = [await run(worker), await run(main)];
    expect(there.map((b) => b.batch)).toEqual(here.map((b) => b.batch));
    expect(worker.plan).toEqual(main.plan); // the main loader knows N after its first pass
  });

  it("worker loader with read-ahead → getState and position are the consumer's, not the worker's", async () => {
    const path = await csvFile(200);
    const pipeline = await createPipeline({
      source: csvSource({ paths: path, schema }),
      batchSize: 2,
      seed: 1,
      loader: "worker",
      worker: { bufferSize: 8 },
    });
    try {
      const iterator = pipeline.epoch(0)[Symbol.asyncIterator]();
      await iterator.next();
      await iterator.next();
      expect(pipeline.getState().step).toBe(2);
      expect(pipeline.position).toEqual({ step: 2, epoch: 0, stepInEpoch: 2 });
      await iterator.return?.();
    } finally {
      await pipeline.close();
    }
  });

  it("worker loader → validation runs on this thread, with the batches of the main loader", async () => {
    const [train, held] = [await csvFile(30), await csvFile(9)];
    const make = async (loader: "main" | "worker") =>
      createPipeline({
        source: csvSource({ paths: train, schema, numSamples: 30 }),
        validation: { source: csvSource({ paths: held, schema }), batchSize: 4 },
        batchSize: 5,
        seed: 2,
        loader,
      });
    const [main, worker] = [await make("main"), await make("worker")];
    try {
      expect(worker.plan).toEqual(main.plan);
      expect((await collect(worker.validation(0))).map(seen)).toEqual(
        (await collect(main.validation(0))).map(seen),
      );
    } finally {
      await Promise.all([main.close(), worker.close()]);
    }
  });

  it.each([
    ["an in-memory array", () => memorySource(10)],
    ["a generator", () => streamSource(10)],
  ])("loader worker with %s → a one-line PipelineError; auto → the main loader", async (_, make) => {
    const options = { batchSize: 2, seed: 1 };
    const error = await createPipeline({ ...options, source: make(), loader: "worker" }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(PipelineError);
    expect((error as Error).message).toMatch(/^loader "worker" needs a source a worker thread can build/);
    expect((error as Error).message).not.toContain("\n");
    const auto = await createPipeline({ ...options, source: make(), loader: "auto" });
    expect(auto.loader).toBe("main");
    await auto.close();
  });

  it("auto → main below 50,000 samples per pass, the worker from 50,000 (a CSV source)", async () => {
    const [small, large] = [await csvFile(49_999), await csvFile(50_000)];
    const pick = async (path: string, numSamples: number) => {
      const pipeline = await createPipeline({
        source: csvSource({ paths: path, schema, numSamples }),
        batchSize: 1000,
        seed: 1,
      });
      await pipeline.close();
      return [pipeline.numSamples, pipeline.loader];
    };
    expect(await pick(small, 49_999)).toEqual([49_999, "main"]);
    expect(await pick(large, 50_000)).toEqual([50_000, "worker"]);
    // Unknown length (no count asked for): auto stays on this thread.
    const unknown = await createPipeline({
      source: csvSource({ paths: large, schema }),
      batchSize: 1000,
      seed: 1,
    });
    expect([unknown.numSamples, unknown.loader]).toEqual([null, "main"]);
    await unknown.close();
  });

  it("worker.source building other data than source → PipelineError at creation naming both counts", async () => {
    const [a, b] = [await csvFile(12), await csvFile(13)];
    const start = createPipeline({
      source: csvSource({ paths: a, schema }),
      batchSize: 2,
      seed: 1,
      loader: "worker",
      worker: { source: csvSource({ paths: b, schema }).workerSpec },
    });
    await expect(start).rejects.toThrow(
      "the worker thread's pipeline differs from this thread's (13 samples per pass there, 12 here)",
    );
  });

  it("an unknown loader → PipelineError listing the loaders", async () => {
    const start = createPipeline({ source: memorySource(4), batchSize: 2, loader: "gpu" as "main" });
    await expect(start).rejects.toThrow('loader must be one of main, worker, auto; got "gpu"');
  });

  it("a csvSource with an onReject callback → no workerSpec (a function cannot cross threads)", () => {
    const path = join(dir, "none.csv");
    expect(csvSource({ paths: path, schema }).workerSpec).toMatchObject({ export: "csvSource" });
    expect(csvSource({ paths: path, schema, onReject: () => {} }).workerSpec).toBeUndefined();
  });
});
