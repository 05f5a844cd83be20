import { copyFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inferSchema as inferNode } from "../csv/infer.ts";
import { csvSource as csvSourceNode } from "../csv/source.ts";
import { openIndexedCsv as openIndexedNode } from "../row-index/source.ts";
import type { Schema } from "../schema/types.ts";
import { type ChromiumPage, openChromiumPage } from "./chromium.ts";
import type { PageRun, StepwiseTest } from "./chromium-entry.ts";
import { mixedCsv } from "./test-data.ts";
import { type RunDigest, type RunSpec, runDigest } from "./test-run.ts";

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const IRIS = here("../../../../examples/iris/iris.csv");

let chromium: ChromiumPage;
let mixedSchema: Schema;
let irisSchema: Schema;
const TEXT = mixedCsv(500);

beforeAll(async () => {
  chromium = await openChromiumPage({ entry: here("./chromium-entry.ts") });
  await writeFile(join(chromium.root, "mixed.csv"), TEXT);
  await writeFile(join(chromium.root, "mixed.csv.gz"), gzipSync(TEXT));
  await copyFile(IRIS, join(chromium.root, "iris.csv"));
  mixedSchema = await inferNode({
    paths: join(chromium.root, "mixed.csv"),
    label: "label",
    ignore: ["note"],
    onBadRecord: "skip",
  });
  irisSchema = await inferNode({ paths: IRIS, label: "species" });
}, 120_000);
afterAll(async () => {
  await chromium?.close();
});

/** The run in Chromium. */
async function inPage(run: Omit<PageRun, "url"> & { file: string }): Promise<RunDigest> {
  const { file, ...rest } = run;
  const digest = await chromium.page.evaluate(
    (r) => (globalThis as unknown as { stepwiseTest: StepwiseTest }).stepwiseTest.run(r),
    { ...rest, url: `${chromium.server.origin}/${file}` },
  );
  expect(chromium.errors).toEqual([]);
  return digest;
}

/** Each pass's rows: every usable row exactly once (no shard, no padding). */
function passes(digest: RunDigest): Map<number, number[]> {
  const byPass = new Map<number, number[]>();
  for (const batch of digest.batches)
    byPass.set(batch.pass, [...(byPass.get(batch.pass) ?? []), ...batch.rows]);
  return byPass;
}

describe("browser sources in Chromium", () => {
  it("inferSchema of the Iris example in Chromium → the schema Node infers", async () => {
    const schema = await chromium.page.evaluate(
      (url) => (globalThis as unknown as { stepwiseTest: StepwiseTest }).stepwiseTest.infer(url, "species"),
      `${chromium.server.origin}/iris.csv`,
    );
    expect(schema).toEqual(irisSchema);
  });

  it("full shuffle over a File and over a Range-served URL, resumed midway → Node's batches bit for bit, each row once per pass, exactly S steps an epoch", async () => {
    const spec: RunSpec = { batchSize: 16, seed: 2024, epochs: 3, stepsPerEpoch: 40, shuffle: "full" };
    const node = await runDigest(
      () =>
        openIndexedNode({
          paths: join(chromium.root, "mixed.csv"),
          schema: mixedSchema,
          onBadRecord: "skip",
          cache: false,
        }),
      spec,
    );
    const usable = node.numSamples as number;
    expect(usable).toBe(499); // one row has a field too many
    for (const as of ["blob", "url"] as const) {
      const digest = await inPage({
        source: "indexed",
        as,
        file: "mixed.csv",
        schema: mixedSchema,
        spec,
        stopAfter: 45,
      });
      expect(digest).toEqual(node);
      for (let epoch = 0; epoch < 3; epoch++) {
        expect(digest.batches.filter((b) => b.epoch === epoch)).toHaveLength(40);
      }
      const complete = [...passes(digest)].filter(([pass]) => pass < 3); // 120 steps cover passes 0-2 whole (32 steps each)
      for (const [, rows] of complete)
        expect([...rows].sort((a, b) => a - b)).toEqual([...new Set(rows)].sort((a, b) => a - b));
      for (const [, rows] of complete) expect(rows).toHaveLength(usable);
    }
  });

  it("stream with a buffer shuffle over a gzip URL and over the Iris File, sharded → Node's batches bit for bit", async () => {
    const spec: RunSpec = {
      batchSize: 10,
      seed: 5,
      epochs: 2,
      shuffle: "buffer",
      shuffleBuffer: 64,
      numShards: 2,
      shardIndex: 1,
    };
    const node = await runDigest(
      () =>
        csvSourceNode({ paths: join(chromium.root, "mixed.csv"), schema: mixedSchema, onBadRecord: "skip" }),
      spec,
    );
    expect(
      await inPage({ source: "stream", as: "url", file: "mixed.csv.gz", schema: mixedSchema, spec }),
    ).toEqual(node);
    const iris: RunSpec = {
      batchSize: 32,
      seed: 9,
      epochs: 2,
      stepsPerEpoch: 3,
      shuffle: "buffer",
      shuffleBuffer: 150,
    };
    const nodeIris = await runDigest(() => csvSourceNode({ paths: IRIS, schema: irisSchema }), iris);
    expect(
      await inPage({ source: "stream", as: "blob", file: "iris.csv", schema: irisSchema, spec: iris }),
    ).toEqual(nodeIris);
  });
});
