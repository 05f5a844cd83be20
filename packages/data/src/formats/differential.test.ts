import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { isPadding } from "../pipeline/block.ts";
import { createPipeline } from "../pipeline/pipeline.ts";
import { collect } from "../pipeline/test-helpers.ts";
import { tempDir } from "../row-index/test-helpers.ts";
import type { Schema } from "../schema/types.ts";
import type { Batch, Sample } from "../types.ts";
import type { DataFormat } from "./files.ts";
import { fixtureRows, writeFixture } from "./fixtures.test-helpers.ts";
import { inferDataSchema } from "./infer.ts";
import { countDataRows, type DataSource, openDataSource } from "./open.ts";

const dir = tempDir("stepwise-formats-");
const ROWS = 300;
const rows = fixtureRows(ROWS, 7);
const FORMATS: DataFormat[] = ["jsonl", "parquet", "arrow"];
// Small budgets: passes span several blocks, and Parquet/Arrow groups are evicted and read again
// (CSV and JSON Lines need room for their read buffers; columnar formats decode whole groups).
const BUDGET = 300 * 1024;
const budgetOf = (format: DataFormat) => (format === "parquet" || format === "arrow" ? 20 * 1024 : BUDGET);

const written = new Map<DataFormat, Promise<string>>();
/** The fixture in `format`, written once, opened afresh. */
async function open(format: DataFormat, schema: Schema): Promise<DataSource> {
  if (!written.has(format)) written.set(format, writeFixture(dir, `data-${format}`, format, rows));
  const path = await (written.get(format) as Promise<string>);
  return openDataSource(format, { paths: path, schema, memoryBudget: budgetOf(format), cache: false });
}

async function samples(source: DataSource): Promise<Sample[]> {
  const out: Sample[] = [];
  for await (const sample of source.stream()) out.push(sample);
  return out;
}

/** A batch as comparable data: exact feature bits, labels and the rows' indices. */
const shape = (batch: Batch) => ({
  step: batch.step,
  xs: [...new Uint32Array(batch.xs.buffer, batch.xs.byteOffset, batch.xs.length)],
  ys: [...batch.ys],
  rows: batch.rows.map((r) => r.index),
});

const csvSchema = (async () =>
  inferDataSchema({
    paths: await writeFixture(dir, "data-csv", "csv", rows),
    label: "species",
    defaults: { maybe: "mean" },
  }))();

describe.each(FORMATS)("%s against the same data as CSV", (format) => {
  it("schema inference → the same schema as from the CSV", async () => {
    const path = await writeFixture(dir, `infer-${format}`, format, rows);
    expect(await inferDataSchema({ paths: path, label: "species", defaults: { maybe: "mean" } })).toEqual(
      await csvSchema,
    );
  });

  it("row count → the CSV's data rows", async () => {
    const path = await writeFixture(dir, `count-${format}`, format, rows);
    expect((await countDataRows(format, path)).numRows).toBe(ROWS);
  });

  it("every sample → the CSV's features bit for bit, label, row index; line = 1-based row", async () => {
    const schema = await csvSchema;
    const expected = await samples(
      await openDataSource("csv", { paths: `${dir}/data-csv.csv`, schema, cache: false }),
    );
    const actual = await samples(await open(format, schema));
    expect(actual).toHaveLength(ROWS);
    actual.forEach((sample, i) => {
      const want = expected[i] as Sample;
      expect(
        new Uint32Array(sample.features.buffer, sample.features.byteOffset, sample.features.length),
      ).toEqual(new Uint32Array(want.features.buffer, want.features.byteOffset, want.features.length));
      expect(sample.label).toBe(want.label);
      expect(sample.source).toMatchObject({ index: i, fileIndex: 0, line: i + 1 });
      expect(sample.source.file).toMatch(new RegExp(`data-${format}\\.`));
    });
  });

  it.each(["none", "full"] as const)(
    "shuffle %s, same seed, 3 shards → the CSV's batches",
    async (shuffle) => {
      const schema = await csvSchema;
      const csv = await openDataSource("csv", {
        paths: `${dir}/data-csv.csv`,
        schema,
        memoryBudget: BUDGET,
        cache: false,
      });
      const other = await open(format, schema);
      const options = { batchSize: 16, seed: 11, shuffle, epochs: 3, numShards: 3, shardIndex: 1 };
      const want = await collect((await createPipeline({ ...options, source: csv })).batches());
      const got = await collect((await createPipeline({ ...options, source: other })).batches());
      if (format !== "jsonl") expect(other.blockSamples).toBeLessThan(ROWS / 3);
      expect(got.map(shape)).toEqual(want.map(shape));
      // Every row exactly once per pass across this rank's share, padding marked the same.
      expect(got.flatMap((b) => b.rows.map(isPadding))).toEqual(want.flatMap((b) => b.rows.map(isPadding)));
    },
  );

  it("state taken mid-pass → the resumed run continues exactly as the uninterrupted one", async () => {
    const schema = await csvSchema;
    const source = await open(format, schema);
    const options = { batchSize: 7, seed: 3, shuffle: "full" as const, epochs: 2 };
    const whole = await collect((await createPipeline({ ...options, source })).batches());
    const first = await createPipeline({ ...options, source });
    const taken: Batch[] = [];
    for await (const batch of first.batches()) {
      taken.push(batch);
      if (taken.length === 30) break;
    }
    const state = first.stateAfter(taken.at(-1) as Batch);
    const resumed = await createPipeline({ ...options, source: await open(format, schema), state });
    const rest = await collect(resumed.batches());
    expect([...taken, ...rest].map(shape)).toEqual(whole.map(shape));
  });
});

describe.each(FORMATS)("%s bad records", (format) => {
  const bad = rows.map((row, i) => (i === 41 ? { ...row, species: "oak" } : row));

  it("policy error → one-line error naming the file, row/line and column", async () => {
    const path = await writeFixture(dir, `bad-${format}`, format, bad);
    const source = await openDataSource(format, { paths: path, schema: await csvSchema, cache: false });
    await expect(samples(source)).rejects.toThrow(
      new RegExp(`bad-${format}\\.\\w+:42: label column 5 "species" expected one of`),
    );
  });

  it("policy skip → the bad row left out, counted, numbering stays dense", async () => {
    const path = await writeFixture(dir, `skip-${format}`, format, bad);
    const source = await openDataSource(format, {
      paths: path,
      schema: await csvSchema,
      onBadRecord: "skip",
      cache: false,
    });
    expect(source.numSamples).toBe(ROWS - 1);
    const read = await samples(source);
    expect(read.map((s) => s.source.index)).not.toContain(41);
    expect(source.summary().badRecords).toEqual({ "bad-label": 1 });
  });

  it("policy quarantine → the rejects file names the file, line and column", async () => {
    const path = await writeFixture(dir, `q-${format}`, format, bad);
    const rejects = `${dir}/rejects-${format}.csv`;
    await openDataSource(format, {
      paths: path,
      schema: await csvSchema,
      onBadRecord: "quarantine",
      rejects,
      cache: false,
    });
    const text = await readFile(rejects, "utf8");
    expect(text.split("\n")[1]).toMatch(new RegExp(`q-${format}\\.\\w+,42,41,5 species,`));
  });
});
