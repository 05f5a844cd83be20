import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { inferSchema, isBlockSource, type SampleSource, type Schema } from "@stepwise/data/internals";
import { describe, expect, it } from "vitest";
import { tempDir } from "../test-helpers.ts";
import type { TrainConfig } from "./config.ts";
import { fitSchema, openTrainingData } from "./data.ts";
import { pipelineOptions } from "./feed.ts";
import { trainingSources } from "./sources.ts";

interface Row {
  x: string;
  c: string;
  y: string;
}

const dir = tempDir("data-");
let serial = 0;

async function csv(rows: readonly Row[]): Promise<string> {
  const path = join(dir, `d${serial++}.csv`);
  await writeFile(path, `x,c,y\n${rows.map((r) => `${r.x},${r.c},${r.y}`).join("\n")}\n`);
  return path;
}

function config(data: string, overrides: Partial<TrainConfig> = {}): TrainConfig {
  return {
    data,
    label: "y",
    header: true,
    task: "auto",
    model: "mlp:4",
    batchSize: 4,
    epochs: 1,
    initialEpoch: 0,
    dropRemainder: false,
    onExhausted: "repeat",
    splitMode: "random",
    seed: 7,
    optimizer: "adam",
    numShards: 1,
    shardIndex: 0,
    shardPolicy: "pad",
    onBadRecord: "error",
    backend: "cpu",
    loader: "main",
    ...overrides,
  };
}

/** Varied values, no randomness: x is a float, c one of three categories, y one of two classes. */
function makeRows(numRows: number): Row[] {
  return Array.from({ length: numRows }, (_, i) => ({
    x: String(((i * 37) % 23) + i / 8),
    c: ["p", "q", "r"][i % 3] as string,
    y: i % 2 === 0 ? "a" : "b",
  }));
}

/** Population mean and std, two-pass: the reference the streaming statistics must equal. */
function reference(xs: readonly number[]): { mean: number; std: number; min: number; max: number } {
  const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
  const std = Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / xs.length);
  return { mean, std, min: Math.min(...xs), max: Math.max(...xs) };
}

function expectStats(
  actual: { count: number; mean: number; std: number; min: number; max: number },
  xs: number[],
) {
  const expected = reference(xs);
  expect(actual.count).toBe(xs.length);
  expect(actual.mean).toBeCloseTo(expected.mean, 10);
  expect(actual.std).toBeCloseTo(expected.std, 10);
  expect(actual.min).toBe(expected.min);
  expect(actual.max).toBe(expected.max);
}

function xStats(schema: Schema) {
  const x = schema.features.find((f) => f.name === "x");
  if (x?.kind !== "numeric") throw new Error("x is not numeric");
  return x.stats;
}

/** Data row indices (header excluded) and features of every sample of one pass. */
async function drain(source: SampleSource): Promise<{ index: number; features: number[] }[]> {
  const out: { index: number; features: number[] }[] = [];
  for await (const sample of source.stream())
    out.push({ index: sample.source.index, features: [...sample.features] });
  return out;
}

describe("fitSchema with --validation-split", () => {
  it("random split with bad rows skipped → statistics of exactly the rows the split assigns to training", async () => {
    const rows = makeRows(61).map((r, i) => (i % 13 === 5 ? { ...r, x: "zz" } : r));
    const cfg = config(await csv(rows), { validationSplit: 0.25, onBadRecord: "skip", numeric: ["x"] });
    const schema = await fitSchema(cfg);
    const usable = rows.filter((r) => r.x !== "zz").length;
    expect(schema.fit).toMatchObject({
      rowsRead: 61,
      rowsUsed: usable,
      samplesFitted: Math.floor(usable * 0.75),
    });

    const { train, validation } = await trainingSources(cfg, schema);
    const [trained, validated] = [await drain(train), await drain(validation as SampleSource)];
    const trainRows = trained.map((s) => rows[s.index] as Row);
    expect(trainRows).toHaveLength(Math.floor(usable * 0.75));
    expect(trainRows.every((r) => r.x !== "zz")).toBe(true);
    expect(new Set([...trained, ...validated].map((s) => s.index)).size).toBe(usable);
    expectStats(
      xStats(schema),
      trainRows.map((r) => Number(r.x)),
    );
    // Standardized with training statistics, the training side has mean 0 and std 1.
    const z = reference(trained.map((s) => s.features[0] as number));
    expect(z.mean).toBeCloseTo(0, 5);
    expect(z.std).toBeCloseTo(1, 5);
    // The same statistics over all usable rows differ: the test can tell the two fits apart.
    const all = await inferSchema({ paths: cfg.data, label: "y", numeric: ["x"], onBadRecord: "skip" });
    expect(xStats(all).mean).not.toBeCloseTo(xStats(schema).mean, 6);
  });

  it("tail split → a category and a class only in the validation rows: unseen rule and a known class", async () => {
    const rows = makeRows(40).map((r, i) => (i >= 36 ? { ...r, c: "rare", y: i === 39 ? "late" : r.y } : r));
    const cfg = config(await csv(rows), { validationSplit: 0.1, splitMode: "tail" });
    const schema = await fitSchema(cfg);
    // Tail: training is the first floor(40 × 0.9) = 36 rows, computed here without the split code.
    expectStats(
      xStats(schema),
      rows.slice(0, 36).map((r) => Number(r.x)),
    );
    expect(schema.features[1]).toMatchObject({ name: "c", kind: "categorical", vocabulary: ["p", "q", "r"] });
    // Class counts are of the training rows only: "late" has none.
    expect(schema.label).toEqual({
      name: "y",
      kind: "string-classes",
      vocabulary: ["a", "b", "late"],
      counts: [18, 18, 0],
    });

    const data = await openTrainingData(cfg, null);
    expect(data.classNames).toEqual(["a", "b", "late"]);
    expect(data.schemaText).toContain("Statistics from 36 training samples of 40 usable (4 left out");
    expect(data.schemaText).toMatch(/classes "late" occur only in samples left out of fitting/);
    const validated = await drain(data.validation as SampleSource);
    expect(validated.map((s) => s.index)).toEqual([36, 37, 38, 39]);
    for (const sample of validated) expect(sample.features.slice(1)).toEqual([0, 0, 0, 1]); // "rare": the OOV input
  });

  it("regression label → its statistics from the training rows only", async () => {
    const rows = makeRows(50).map((r, i) => ({ ...r, y: String((i * 7.5) % 19) }));
    const cfg = config(await csv(rows), { validationSplit: 0.3, task: "regression", seed: 3 });
    const schema = await fitSchema(cfg);
    const { train } = await trainingSources(cfg, schema);
    const trainRows = (await drain(train)).map((s) => rows[s.index] as Row);
    expect(trainRows).toHaveLength(35);
    if (schema.label?.kind !== "regression") throw new Error("expected a regression label");
    expectStats(
      schema.label.stats,
      trainRows.map((r) => Number(r.y)),
    );
  });

  it("no split → one fit over every usable sample", async () => {
    const cfg = config(await csv(makeRows(20)));
    const schema = await fitSchema(cfg);
    expect(schema.fit).toMatchObject({ rowsUsed: 20, samplesFitted: 20 });
    expect(schema).toEqual(await inferSchema({ paths: cfg.data, label: "y", onBadRecord: "error" }));
  });

  it("resume with the saved schema → no refit: the same schema and the same training samples", async () => {
    const cfg = config(await csv(makeRows(30)), { validationSplit: 0.2 });
    const fresh = await openTrainingData(cfg, null);
    const saved = JSON.parse(JSON.stringify(fresh.schemaJson));
    const resumed = await openTrainingData(cfg, saved);
    expect(resumed.schemaJson).toEqual(fresh.schemaJson);
    expect(resumed.schemaJson.fit.samplesFitted).toBe(24);
    expect(await drain(resumed.train)).toEqual(await drain(fresh.train));
  });
});

describe("trainingSources by shuffle", () => {
  it.each([["random" as const], ["tail" as const]])(
    "--shuffle full with a %s split, bad rows skipped → both sides random access, with exactly the streamed split's samples",
    async (splitMode) => {
      const rows = makeRows(57).map((r, i) => (i % 11 === 4 ? { ...r, x: "zz" } : r));
      const options = { validationSplit: 0.3, splitMode, onBadRecord: "skip" as const, numeric: ["x"] };
      const streamed = config(await csv(rows), { ...options, shuffle: "buffer" });
      const schema = await fitSchema(streamed);
      const stream = await trainingSources(streamed, schema);
      const indexed = await trainingSources({ ...streamed, shuffle: "full" }, schema);
      expect(isBlockSource(indexed.train)).toBe(true);
      expect(isBlockSource(indexed.validation as SampleSource)).toBe(true);
      expect(isBlockSource(stream.train)).toBe(false);
      expect(await drain(indexed.train)).toEqual(await drain(stream.train));
      expect(await drain(indexed.validation as SampleSource)).toEqual(
        await drain(stream.validation as SampleSource),
      );
      expect(indexed.data.summary().cumulative.rowsSkipped).toBe(rows.filter((r) => r.x === "zz").length);
    },
  );

  it("a config saved before --shuffle existed (no shuffle key) → streamed with a buffer shuffle, as its checkpoints expect", async () => {
    const cfg = config(await csv(makeRows(12)), { shuffleBuffer: 4 });
    expect(cfg.shuffle).toBeUndefined();
    const { train } = await trainingSources(cfg, await fitSchema(cfg));
    expect(isBlockSource(train)).toBe(false);
    expect(pipelineOptions(cfg)).toMatchObject({ shuffle: "buffer", shuffleBuffer: 4 });
  });

  it("--shuffle none without a split → the indexed file itself; --validation-data stays a stream", async () => {
    const cfg = config(await csv(makeRows(12)), { shuffle: "none", validationData: await csv(makeRows(5)) });
    const schema = await fitSchema(cfg);
    const { train, validation, data } = await trainingSources(cfg, schema);
    expect(train).toBe(data);
    expect(isBlockSource(train)).toBe(true);
    expect(isBlockSource(validation as SampleSource)).toBe(false);
    expect((await drain(validation as SampleSource)).map((s) => s.index)).toEqual([0, 1, 2, 3, 4]);
  });
});
