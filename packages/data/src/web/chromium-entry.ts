// The page script of the Chromium tests: the browser build of the sources and pipeline, driven
// from the test through `globalThis.stepwiseTest`.
import { createPipeline } from "../pipeline/browser-pipeline.ts";
import type { Schema } from "../schema/types.ts";
import type { SampleSource } from "../types.ts";
import { csvSource, inferSchema, openIndexedCsv } from "./csv.ts";
import { type RunSpec, runDigest } from "./test-run.ts";

export interface PageRun {
  /** `stream`: csvSource; `indexed`: openIndexedCsv. */
  source: "stream" | "indexed";
  /** `url`: read from the URL; `blob`: fetched whole first, then read as a File. */
  as: "url" | "blob";
  url: string;
  schema: Schema;
  spec: RunSpec;
  stopAfter?: number | null;
}

async function dataOf(run: Pick<PageRun, "as" | "url">): Promise<File | string> {
  if (run.as === "url") return run.url;
  const response = await fetch(run.url);
  const name = run.url.split("/").pop() as string;
  return new File([await response.blob()], name);
}

const stepwiseTest = {
  async run(run: PageRun) {
    const data = await dataOf(run);
    const options = { data, schema: run.schema, onBadRecord: "skip" as const };
    const source = (): SampleSource | Promise<SampleSource> =>
      run.source === "indexed" ? openIndexedCsv(options) : csvSource(options);
    return runDigest(source, run.spec, run.stopAfter ?? null);
  },
  async infer(url: string, label: string): Promise<Schema> {
    return inferSchema({ data: await dataOf({ as: "blob", url }), label });
  },
  /** Rows per second of CSV → batches (read, parse, encode, batch; no shuffle), one pass over a File. */
  async rowsPerSecond(
    url: string,
    schema: Schema,
    batchSize: number,
  ): Promise<{ rows: number; seconds: number }> {
    const data = await dataOf({ as: "blob", url });
    const started = performance.now();
    const pipeline = await createPipeline({
      source: csvSource({ data, schema }),
      batchSize,
      seed: 1,
      shuffle: "none",
    });
    let rows = 0;
    for await (const batch of pipeline.epoch(0)) rows += batch.batchSize;
    return { rows, seconds: (performance.now() - started) / 1000 };
  },
};

(globalThis as { stepwiseTest?: typeof stepwiseTest }).stepwiseTest = stepwiseTest;
export type StepwiseTest = typeof stepwiseTest;
