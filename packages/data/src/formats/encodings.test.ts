import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { tableFromArrays, tableToIPC } from "apache-arrow";
import { parquetWriteBuffer } from "hyparquet-writer";
import { describe, expect, it } from "vitest";
import { csvSource } from "../csv/source.ts";
import { createPipeline } from "../pipeline/pipeline.ts";
import { collect } from "../pipeline/test-helpers.ts";
import { tempDir } from "../row-index/test-helpers.ts";
import type { CategoricalFeature, Schema } from "../schema/types.ts";
import type { SampleChunk } from "../types.ts";
import type { DataFormat } from "./files.ts";
import { inferDataSchema } from "./infer.ts";
import { openDataSource, streamDataSource } from "./open.ts";

const dir = tempDir("stepwise-encodings-");

interface Flight {
  when: string;
  origin: string;
  carrier: string;
  dist: number;
  delayed: number;
}

const AIRPORTS = Array.from({ length: 40 }, (_, i) => `A${String(i).padStart(2, "0")}`);
const CARRIERS = ["AA", "DL", "UA", "WN"];

/** Seeded flights: mixed ISO forms, 40 airports (`LATE` first seen at row 1200), 4 carriers. */
function flights(count: number, seed: number, unseen = false): Flight[] {
  let state = seed;
  const next = () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state / 2 ** 32;
  };
  return Array.from({ length: count }, (_, i) => {
    const day = `2024-${String(1 + Math.floor(next() * 12)).padStart(2, "0")}-${String(1 + Math.floor(next() * 28)).padStart(2, "0")}`;
    const time = `${String(Math.floor(next() * 24)).padStart(2, "0")}:${String(Math.floor(next() * 60)).padStart(2, "0")}`;
    const when = [day, `${day}T${time}:00Z`, `${day} ${time}`, `${day}T${time}+02:00`][i % 4] as string;
    let origin = AIRPORTS[Math.floor(next() * AIRPORTS.length)] as string;
    if (i >= 1200 && i % 50 === 0) origin = "LATE";
    let carrier = CARRIERS[Math.floor(next() * CARRIERS.length)] as string;
    if (unseen && i % 7 === 0) origin = `NEW${i % 3}`;
    if (unseen && i % 11 === 0) carrier = "ZZ";
    return { when, origin, carrier, dist: Math.round(next() * 3000), delayed: next() < 0.3 ? 1 : 0 };
  });
}

const COLUMNS = ["when", "origin", "carrier", "dist", "delayed"] as const;

async function write(name: string, format: DataFormat, rows: readonly Flight[]): Promise<string> {
  const path = join(dir, `${name}.${format}`);
  if (format === "csv") {
    const lines = rows.map((r) => COLUMNS.map((c) => String(r[c])).join(","));
    await writeFile(path, `${COLUMNS.join(",")}\n${lines.join("\n")}\n`);
  } else if (format === "jsonl") {
    await writeFile(path, `${rows.map((r) => JSON.stringify(r)).join("\n")}\n`);
  } else if (format === "parquet") {
    const column = (name: (typeof COLUMNS)[number], type: "STRING" | "INT32") => ({
      name,
      data: rows.map((r) => r[name]),
      type,
    });
    const bytes = parquetWriteBuffer({
      columnData: [
        column("when", "STRING"),
        column("origin", "STRING"),
        column("carrier", "STRING"),
        column("dist", "INT32"),
        column("delayed", "INT32"),
      ],
      rowGroupSize: 64,
    });
    await writeFile(path, new Uint8Array(bytes));
  } else {
    const table = tableFromArrays({
      when: rows.map((r) => r.when),
      origin: rows.map((r) => r.origin),
      carrier: rows.map((r) => r.carrier),
      dist: Int32Array.from(rows, (r) => r.dist),
      delayed: Int32Array.from(rows, (r) => r.delayed),
    });
    await writeFile(path, tableToIPC(table, "file"));
  }
  return path;
}

const train = flights(1500, 7);
const test = flights(300, 99, true);

const fitted = (async () =>
  inferDataSchema({ paths: await write("train", "csv", train), label: "delayed", maxOneHot: 8 }))();

/** The fitted schema with origin hashed into 16 buckets instead of embedded. */
async function hashedSchema(): Promise<Schema> {
  const schema = structuredClone(await fitted);
  const at = schema.features.findIndex((f) => f.name === "origin");
  const origin = schema.features[at] as CategoricalFeature;
  schema.features[at] = { ...origin, encoding: "hashed", vocabulary: [], buckets: 16, embeddingDim: 4 };
  return schema;
}

const bits = (features: Float32Array) =>
  [...new Uint32Array(features.buffer, features.byteOffset, features.length)].join(" ");

interface Encoded {
  rows: string[];
  labels: number[];
  unseen: Record<string, number>;
}

async function viaStream(format: DataFormat, schema: Schema): Promise<Encoded> {
  const source = await streamDataSource(format, {
    paths: await write(`test-${format}`, format, test),
    schema,
  });
  const out: Encoded = { rows: [], labels: [], unseen: {} };
  for await (const sample of source.stream()) {
    out.rows.push(bits(sample.features));
    out.labels.push(sample.label);
  }
  out.unseen = source.summary().unseenCategories;
  return out;
}

async function viaIndexed(format: DataFormat, schema: Schema): Promise<Encoded> {
  const source = await openDataSource(format, {
    paths: await write(`test-${format}`, format, test),
    schema,
    cache: false,
  });
  const out: Encoded = { rows: [], labels: [], unseen: {} };
  for await (const sample of source.stream()) {
    out.rows.push(bits(sample.features));
    out.labels.push(sample.label);
  }
  out.unseen = source.summary().unseenCategories;
  return out;
}

async function viaChunks(schema: Schema): Promise<Encoded> {
  const source = csvSource({ paths: await write("test-csv", "csv", test), schema });
  const out: Encoded = { rows: [], labels: [], unseen: {} };
  for await (const chunk of (source.chunks as () => AsyncIterable<SampleChunk>)()) {
    const f = chunk.numFeatures;
    for (let i = 0; i < chunk.numSamples; i++) {
      out.rows.push(bits(chunk.features.subarray(i * f, (i + 1) * f)));
      out.labels.push(chunk.labels[i] as number);
    }
  }
  out.unseen = source.summary().unseenCategories;
  return out;
}

async function viaPipeline(schema: Schema, loader: "main" | "worker"): Promise<string[]> {
  const source = csvSource({ paths: await write("test-csv", "csv", test), schema });
  const pipeline = await createPipeline({ source, batchSize: 32, epochs: 1, shuffle: "none", loader });
  expect(pipeline.loader).toBe(loader);
  const batches = await collect(pipeline.batches());
  const f = schema.numFeatures;
  return batches.flatMap((batch) => batch.rows.map((_, i) => bits(batch.xs.subarray(i * f, (i + 1) * f))));
}

describe("categorical and date encodings through every reader", () => {
  it("fitting → origin embedded (with the value first seen after row 1000), carrier one-hot + OOV, when cyclical with hours", async () => {
    const schema = await fitted;
    const byName = Object.fromEntries(schema.features.map((f) => [f.name, f]));
    expect(byName.origin).toMatchObject({
      kind: "categorical",
      encoding: "embedding",
      rowsOutsideVocabulary: 0,
    });
    expect((byName.origin as CategoricalFeature).vocabulary).toContain("LATE");
    expect((byName.origin as CategoricalFeature).vocabulary).toHaveLength(41);
    expect(byName.carrier).toMatchObject({ encoding: "one-hot", vocabulary: CARRIERS, oovInput: true });
    expect(byName.when).toMatchObject({
      kind: "date",
      parts: ["year", "month_sin", "month_cos", "dayOfWeek_sin", "dayOfWeek_cos", "hour_sin", "hour_cos"],
    });
    expect(schema.numFeatures).toBe(7 + 1 + 5 + 1);
  });

  it.each([
    ["embedded", false],
    ["hashed", true],
  ])(
    "%s origin: CSV stream, chunks, row index, worker and JSON Lines/Parquet/Arrow → the same features bit for bit and the same OOV counts",
    async (_name, hashed) => {
      const schema = hashed ? await hashedSchema() : await fitted;
      const reference = await viaStream("csv", schema);
      expect(reference.rows).toHaveLength(test.length);
      const expectedUnseen = {
        carrier: test.filter((r) => r.carrier === "ZZ").length,
        ...(hashed ? {} : { origin: test.filter((r) => r.origin.startsWith("NEW")).length }),
      };
      expect(reference.unseen).toEqual(expectedUnseen);
      const others: [string, Encoded][] = [
        ["csv chunks", await viaChunks(schema)],
        ["csv indexed", await viaIndexed("csv", schema)],
        ["jsonl stream", await viaStream("jsonl", schema)],
        ["jsonl indexed", await viaIndexed("jsonl", schema)],
        ["parquet", await viaIndexed("parquet", schema)],
        ["arrow", await viaIndexed("arrow", schema)],
      ];
      for (const [name, encoded] of others) {
        expect({ name, ...encoded }).toEqual({ name, ...reference });
      }
      const main = await viaPipeline(schema, "main");
      expect(main).toEqual(reference.rows);
      expect(await viaPipeline(schema, "worker")).toEqual(main);
    },
    120_000,
  );
});
