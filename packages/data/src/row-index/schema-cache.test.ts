import { readdir, readFile, stat, utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { inferSchema } from "../csv/infer.ts";
import { inferDataSchema } from "../formats/infer.ts";
import type { Schema } from "../schema/types.ts";
import { cachedFit, optionsHash, schemaCachePath } from "./schema-cache.ts";
import { tempDir } from "./test-helpers.ts";

const rows = (values: number[][]) => `x,y,label\n${values.map((r) => r.join(",")).join("\n")}\n`;

/** A fit that counts its calls, so a test sees whether the data was read. */
function countingFit(file: string, label = "label") {
  const calls = { count: 0 };
  const fit = () => {
    calls.count += 1;
    return inferSchema({ paths: file, label });
  };
  return { calls, fit };
}

const meanOf = (schema: Schema) => (schema.features[0] as { stats: { mean: number } }).stats.mean;

describe("cachedFit", () => {
  it("second fit of unchanged data → read from the cache, no pass, same schema", async () => {
    const dir = tempDir();
    const file = join(dir, "d.csv");
    await writeFile(
      file,
      rows([
        [1, 2, 0],
        [3, 4, 1],
        [5, 6, 0],
      ]),
    );
    const { calls, fit } = countingFit(file);
    const key = { files: [file], options: { label: "label" } };
    const first = await cachedFit(key, fit);
    const second = await cachedFit(key, fit);
    expect(first.origin).toBe("fitted");
    expect(second.origin).toBe("cached");
    expect(calls.count).toBe(1);
    expect(second.schema).toEqual(first.schema);
    expect(await readdir(join(dir, ".stepwise-index"))).toEqual([
      expect.stringMatching(/^d\.csv\.[0-9a-f]{16}\.schema\.json$/),
    ]);
  });

  it("file rewritten with the same size and modification time → refitted with the new content", async () => {
    const dir = tempDir();
    const file = join(dir, "d.csv");
    const when = new Date("2026-01-02T03:04:05Z");
    await writeFile(
      file,
      rows([
        [1, 2, 0],
        [3, 4, 1],
      ]),
    );
    await utimes(file, when, when);
    const { calls, fit } = countingFit(file);
    const key = { files: [file], options: { label: "label" } };
    const before = await cachedFit(key, fit);
    const { size, mtimeMs } = await stat(file);
    await writeFile(
      file,
      rows([
        [7, 2, 0],
        [9, 4, 1],
      ]),
    ); // same length, other values
    await utimes(file, when, when);
    expect((await stat(file)).size).toBe(size);
    expect((await stat(file)).mtimeMs).toBe(mtimeMs);
    const after = await cachedFit(key, fit);
    expect(calls.count).toBe(2);
    expect(after.origin).toBe("fitted");
    expect(meanOf(before.schema)).toBe(2);
    expect(meanOf(after.schema)).toBe(8);
  });

  it("other options → another entry, fitted anew", async () => {
    const dir = tempDir();
    const file = join(dir, "d.csv");
    await writeFile(
      file,
      rows([
        [1, 2, 0],
        [3, 4, 1],
      ]),
    );
    const { calls, fit } = countingFit(file);
    await cachedFit({ files: [file], options: { label: "label" } }, fit);
    const other = await cachedFit({ files: [file], options: { label: "label", normalization: "none" } }, fit);
    expect(other.origin).toBe("fitted");
    expect(calls.count).toBe(2);
    expect(optionsHash({ a: 1, b: [2] })).toBe(optionsHash({ b: [2], a: 1, c: undefined }));
  });

  it("damaged or foreign cache entry → refitted and replaced", async () => {
    const dir = tempDir();
    const file = join(dir, "d.csv");
    await writeFile(
      file,
      rows([
        [1, 2, 0],
        [3, 4, 1],
      ]),
    );
    const { calls, fit } = countingFit(file);
    const key = { files: [file], options: { label: "label" } };
    await cachedFit(key, fit);
    const path = schemaCachePath([file], optionsHash(key.options));
    const entry = JSON.parse(await readFile(path, "utf8"));
    for (const damaged of [
      "{ not json",
      JSON.stringify({ ...entry, version: 99 }),
      JSON.stringify({ ...entry, schema: { ...entry.schema, numFeatures: 7 } }),
    ]) {
      await writeFile(path, damaged);
      const again = await cachedFit(key, fit);
      expect(again.origin).toBe("fitted");
    }
    expect(calls.count).toBe(4);
    expect((await cachedFit(key, fit)).origin).toBe("cached");
  });

  it("data changed while it was fitted → the schema is returned but not cached", async () => {
    const dir = tempDir();
    const file = join(dir, "d.csv");
    await writeFile(
      file,
      rows([
        [1, 2, 0],
        [3, 4, 1],
      ]),
    );
    const key = { files: [file], options: { label: "label" } };
    const result = await cachedFit(key, async () => {
      const schema = await inferSchema({ paths: file, label: "label" });
      await writeFile(
        file,
        rows([
          [1, 2, 0],
          [3, 4, 1],
          [5, 6, 1],
        ]),
      );
      return schema;
    });
    expect(result.origin).toBe("uncached");
    const { calls, fit } = countingFit(file);
    expect((await cachedFit(key, fit)).origin).toBe("fitted");
    expect(calls.count).toBe(1);
  });

  it("cache folder cannot be made → fitted every time, nothing fails", async () => {
    const dir = tempDir();
    const file = join(dir, "d.csv");
    await writeFile(
      file,
      rows([
        [1, 2, 0],
        [3, 4, 1],
      ]),
    );
    const { calls, fit } = countingFit(file);
    // A folder below a plain file cannot be created (whatever the user's rights).
    const key = { files: [file], options: { label: "label" }, indexDir: join(file, "cache") };
    expect((await cachedFit(key, fit)).origin).toBe("uncached");
    expect((await cachedFit(key, fit)).origin).toBe("uncached");
    expect(calls.count).toBe(2);
  });
});

describe("inferDataSchema with cache", () => {
  it("any numeric data, fitted then read back → equal to an uncached fit", async () => {
    const dir = tempDir();
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.tuple(
            fc.double({ min: -1e6, max: 1e6, noNaN: true }),
            fc.integer({ min: -50, max: 50 }),
            fc.integer({ min: 0, max: 2 }),
          ),
          { minLength: 2, maxLength: 40 },
        ),
        async (values) => {
          const file = join(dir, `p${run++}.csv`);
          await writeFile(file, rows(values.map(([x, y, label]) => [x, y, label])));
          const plain = await inferDataSchema({ paths: file, label: "label" });
          const fitted = await inferDataSchema({ paths: file, label: "label", cache: true });
          const cached = await inferDataSchema({ paths: file, label: "label", cache: true });
          expect(fitted).toEqual(plain);
          expect(cached).toEqual(plain);
        },
      ),
      { numRuns: 25 },
    );
  });

  it("includeSample without includeSampleKey → not cached; with a key → cached per key", async () => {
    const dir = tempDir();
    const file = join(dir, "d.csv");
    await writeFile(
      file,
      rows([
        [1, 2, 0],
        [3, 4, 1],
        [5, 6, 0],
        [7, 8, 1],
      ]),
    );
    const firstTwo = (position: number) => position < 2;
    await inferDataSchema({ paths: file, label: "label", cache: true, includeSample: firstTwo });
    await expect(readdir(join(dir, ".stepwise-index"))).rejects.toThrow();
    const keyed = {
      paths: file,
      label: "label",
      cache: true,
      includeSample: firstTwo,
      includeSampleKey: "first 2",
    };
    const fitted = await inferDataSchema(keyed);
    expect(meanOf(fitted)).toBe(2);
    // The key, not the function, names the samples: a cached entry is found by it alone.
    const cached = await inferDataSchema({ ...keyed, includeSample: () => true });
    expect(cached).toEqual(fitted);
    const other = await inferDataSchema({ ...keyed, includeSample: () => true, includeSampleKey: "all" });
    expect(meanOf(other)).toBe(4);
  });

  it("cache: true on a missing file → the same DataError as without", async () => {
    const dir = tempDir();
    const missing = join(dir, "nope.csv");
    const plain = await inferDataSchema({ paths: missing, label: "label" }).catch((e: Error) => e.message);
    const cached = await inferDataSchema({ paths: missing, label: "label", cache: true }).catch(
      (e: Error) => e.message,
    );
    expect(cached).toBe(plain);
  });
});
