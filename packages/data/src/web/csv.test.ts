import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inferSchema as inferNode } from "../csv/infer.ts";
import { csvSource as csvSourceNode } from "../csv/source.ts";
import { DataError } from "../errors.ts";
import { openIndexedCsv as openIndexedNode } from "../row-index/source.ts";
import { tempDir, writeCsv } from "../row-index/test-helpers.ts";
import type { Schema } from "../schema/types.ts";
import { csvSource, inferSchema, openIndexedCsv } from "./csv.ts";
import { mixedCsv } from "./test-data.ts";
import { runDigest } from "./test-run.ts";
import { type StaticServer, serveStatic } from "./test-server.ts";

const dir = tempDir("stepwise-web-");

const TEXT = mixedCsv(300);
let path: string;
let schema: Schema;
let server: StaticServer;
let plainServer: StaticServer;

beforeAll(async () => {
  path = await writeCsv(dir, "mixed.csv", TEXT);
  await writeFile(join(dir, "mixed.csv.gz"), gzipSync(TEXT));
  schema = await inferNode({ paths: path, label: "label", ignore: ["note"], onBadRecord: "skip" });
  server = await serveStatic(dir);
  plainServer = await serveStatic(dir, { ranges: false });
});
afterAll(async () => {
  await server?.close();
  await plainServer?.close();
});

const blob = (text: string | Uint8Array) => new Blob([text]);
const spec = { batchSize: 32, seed: 11, epochs: 2, stepsPerEpoch: 7 } as const;

describe("browser CSV sources (run on Node's Blob and fetch)", () => {
  it("inferSchema from a Blob → the schema inferSchema gives from the file", async () => {
    const fromBlob = await inferSchema({
      data: blob(TEXT),
      label: "label",
      ignore: ["note"],
      onBadRecord: "skip",
    });
    expect(fromBlob).toEqual(schema);
  });

  it("inferSchema from a Blob whose column turns to text after sampleRows → Node's schema: kinds from every row", async () => {
    const lines = ["x,c,label"];
    for (let i = 0; i < 60; i++) {
      lines.push(`${i * 0.5},${i < 30 ? i % 3 : ["red", "green"][i % 2]},${i % 2 ? "a" : "b"}`);
    }
    const text = `${lines.join("\n")}\n`;
    const file = await writeCsv(dir, "turns.csv", text);
    const options = { label: "label", sampleRows: 10 } as const;
    const fromFile = await inferNode({ paths: file, ...options });
    expect(fromFile.features.map((f) => [f.name, f.kind])).toEqual([
      ["x", "numeric"],
      ["c", "categorical"],
    ]);
    expect(await inferSchema({ data: new File([text], file), ...options })).toEqual(fromFile);
  });

  it("inferSchema from a Blob with CR-only line endings → line-endings error, as from a file", async () => {
    const failure = inferSchema({ data: new File(["x,y\r1,a\r2,b\r"], "mac.csv"), label: "y" });
    await expect(failure).rejects.toMatchObject({ name: "DataError", code: "line-endings", file: "mac.csv" });
  });

  it("csvSource over a Blob → the Node source's samples, bit for bit, and its counts", async () => {
    // Whole passes (no stepsPerEpoch), so the counts do not depend on how far a cut pass read ahead.
    const run = { batchSize: 32, seed: 11, epochs: 2, shuffle: "buffer", shuffleBuffer: 50 } as const;
    const node = csvSourceNode({ paths: path, schema, onBadRecord: "skip" });
    const expected = await runDigest(() => node, run);
    const web = csvSource({ data: blob(TEXT), schema, onBadRecord: "skip" });
    expect(await runDigest(() => web, run)).toEqual(expected);
    expect(web.summary().lastPass).toEqual(node.summary().lastPass);
    expect(web.summary().cumulative).toEqual({
      rowsRead: 600,
      rowsUsed: 598,
      rowsSkipped: 2,
      rowsQuarantined: 0,
    });
    expect(web.summary().badRecords).toEqual(node.summary().badRecords);
  });

  it("a gzip Blob (name ending .gz) and a gzip URL → the plain file's samples", async () => {
    const node = csvSourceNode({ paths: path, schema, onBadRecord: "skip" });
    const expected = await runDigest(() => node, { ...spec, shuffle: "none" });
    const gz = new File([await readFile(join(dir, "mixed.csv.gz"))], "mixed.csv.gz");
    expect(
      await runDigest(() => csvSource({ data: gz, schema, onBadRecord: "skip" }), {
        ...spec,
        shuffle: "none",
      }),
    ).toEqual(expected);
    const url = `${server.origin}/mixed.csv.gz`;
    expect(
      await runDigest(() => csvSource({ data: url, schema, onBadRecord: "skip" }), {
        ...spec,
        shuffle: "none",
      }),
    ).toEqual(expected);
  });

  it("openIndexedCsv over a Blob and over a URL with Range support, full shuffle, sharded, resumed → the Node indexed source's batches", async () => {
    for (const sharding of [{}, { numShards: 3, shardIndex: 1 }]) {
      const run = { ...spec, shuffle: "full" as const, ...sharding };
      const expected = await runDigest(
        () => openIndexedNode({ paths: path, schema, onBadRecord: "skip", cache: false }),
        run,
      );
      expect(expected.batches.length).toBe(14);
      const fromBlob = await runDigest(
        () => openIndexedCsv({ data: blob(TEXT), schema, onBadRecord: "skip" }),
        run,
        5,
      );
      expect(fromBlob).toEqual(expected);
      const fromUrl = await runDigest(
        () => openIndexedCsv({ data: `${server.origin}/mixed.csv`, schema, onBadRecord: "skip" }),
        run,
      );
      expect(fromUrl).toEqual(expected);
    }
  });

  it("a URL whose server ignores Range requests → openIndexedCsv fails with not-indexable, csvSource still streams it", async () => {
    const url = `${plainServer.origin}/mixed.csv`;
    const error = await openIndexedCsv({ data: url, schema, onBadRecord: "skip" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataError);
    expect((error as DataError).code).toBe("not-indexable");
    expect((error as DataError).message).toMatch(/Range/);
    const digest = await runDigest(() => csvSource({ data: url, schema, onBadRecord: "skip" }), {
      ...spec,
      shuffle: "none",
    });
    expect(digest.batches).toHaveLength(14);
  });

  it("a missing URL → DataError file-not-found naming the URL", async () => {
    const url = `${server.origin}/absent.csv`;
    const source = csvSource({ data: url, schema });
    const error = await runDigest(() => source, spec).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataError);
    expect((error as DataError).code).toBe("file-not-found");
    expect((error as DataError).message).toContain(url);
  });

  it("bad rows under error, skip with onReject, and quarantine → the Node policy's error and rejects; quarantine refused", async () => {
    const rejected: number[] = [];
    const skip = csvSource({
      data: blob(TEXT),
      schema,
      onBadRecord: "skip",
      onReject: (r) => rejected.push(r.row.line ?? -1),
    });
    await runDigest(() => skip, { batchSize: 50, seed: 1, shuffle: "none" });
    expect(rejected).toEqual([21]); // data row 17: after the header and two quoted line breaks
    const strict = csvSource({ data: new File([TEXT], "mixed.csv"), schema });
    const error = await runDigest(() => strict, { batchSize: 50, seed: 1 }).catch((e: unknown) => e);
    expect((error as DataError).message).toMatch(/^mixed\.csv:21:/);
    expect(() => csvSource({ data: blob(TEXT), schema, onBadRecord: "quarantine" })).toThrow(/rejects file/);
  });
});
