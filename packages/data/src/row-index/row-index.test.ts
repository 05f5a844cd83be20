import { existsSync, readdirSync } from "node:fs";
import { appendFile, mkdir, readFile, stat, utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { parse } from "csv-parse/sync";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { randomCsv } from "../csv/csv-arbitraries.test-helpers.ts";
import { DataError } from "../errors.ts";
import { buildRowIndex } from "./row-index.ts";
import { defaultIndexDir, sidecarPath } from "./sidecar.ts";
import { numericCsv, tempDir, writeCsv } from "./test-helpers.ts";

const dir = tempDir();

describe("buildRowIndex: row locations", () => {
  it("random CSV file, with or without header, tiny read chunks → each row's range parses to that row, at its line", async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        randomCsv({ ragged: true }),
        fc.boolean(),
        fc.integer({ min: 1, max: 9 }),
        async (csv, header, chunk) => {
          fc.pre(!header || csv.records.length >= 1);
          const file = await writeCsv(dir, `random-${run++}.csv`, csv.text);
          const index = await buildRowIndex(file, { header, cache: false, chunkBytes: chunk });
          const skip = header ? 1 : 0;
          expect(index.numRows).toBe(csv.records.length - skip);
          const bytes = await readFile(file);
          for (let row = 0; row < index.numRows; row++) {
            const at = index.locate(row);
            const parsed = parse(bytes.subarray(at.start, at.end), {
              delimiter: csv.delimiter,
              relax_column_count: true,
              skip_empty_lines: true,
              record_delimiter: ["\r\n", "\n"],
            });
            expect(parsed).toEqual([csv.records[row + skip]]);
            expect(at.line).toBe(csv.lines[row + skip]);
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it("several part files → global rows run through the files in order", async () => {
    const parts = join(dir, "parts");
    await mkdir(parts);
    await writeCsv(parts, "part-2.csv", numericCsv(3, { first: 2 }));
    await writeCsv(parts, "part-10.csv", numericCsv(4, { first: 5 }));
    await writeCsv(parts, "part-1.csv", numericCsv(2));
    const index = await buildRowIndex(parts, { cache: false });
    expect(index.numRows).toBe(9);
    expect(index.rowsPerFile).toEqual([2, 3, 4]);
    expect([0, 1, 2, 4, 5, 8].map((row) => [index.locate(row).fileIndex, index.locate(row).line])).toEqual([
      [0, 2],
      [0, 3],
      [1, 2],
      [1, 4],
      [2, 2],
      [2, 5],
    ]);
  });

  it("a header-only file among others → contributes no rows", async () => {
    const a = await writeCsv(dir, "only-header.csv", "x,y,label\n");
    const b = await writeCsv(dir, "two.csv", numericCsv(2));
    const index = await buildRowIndex([a, b], { cache: false });
    expect(index.rowsPerFile).toEqual([0, 2]);
    expect(index.locate(0).file).toBe(b);
  });

  it.each<[string, string, string]>([
    ["a gzip file", "g.csv.gz", "cannot be indexed for random access"],
    ["an empty file", "empty.csv", "empty file: expected a header row"],
  ])("%s → DataError saying so", async (_name, name, message) => {
    const file = join(dir, name);
    await writeFile(file, name.endsWith(".gz") ? gzipSync("x\n1\n") : "");
    const failure = buildRowIndex(file, { cache: false });
    await expect(failure).rejects.toThrow(DataError);
    await expect(failure).rejects.toThrow(message);
  });

  it("a row outside the index → DataError naming the range", async () => {
    const index = await buildRowIndex(await writeCsv(dir, "three.csv", numericCsv(3)), { cache: false });
    expect(() => index.locate(3)).toThrow("row must be an integer in [0, 3), got 3");
  });
});

describe("buildRowIndex: the sidecar cache", () => {
  it("first build → sidecar written in .stepwise-index beside the data; second → read from it", async () => {
    const sub = tempDir();
    const file = await writeCsv(sub, "data.csv", numericCsv(10));
    expect((await buildRowIndex(file)).origins).toEqual(["built"]);
    expect(existsSync(sidecarPath(file, null))).toBe(true);
    expect(sidecarPath(file, null).startsWith(defaultIndexDir(file))).toBe(true);
    expect(defaultIndexDir(file)).toBe(join(sub, ".stepwise-index"));
    expect((await buildRowIndex(file)).origins).toEqual(["cached"]);
  });

  it("file grows (size changes) → index rebuilt, with the new rows", async () => {
    const file = await writeCsv(tempDir(), "grow.csv", numericCsv(10));
    await buildRowIndex(file);
    await appendFile(file, "10,5,10\n");
    const index = await buildRowIndex(file);
    expect(index.origins).toEqual(["built"]);
    expect(index.numRows).toBe(11);
  });

  it("file rewritten with the same size (only mtime changes) → index rebuilt", async () => {
    const file = await writeCsv(tempDir(), "same-size.csv", "x,y,label\n1,2,3\n4,5,6\n");
    const before = await buildRowIndex(file);
    const { mtime } = await stat(file);
    await writeFile(file, "x,y,label\n1,2,3\n\n45,6\n"); // same byte count, one blank line: rows move
    await utimes(file, mtime, new Date(mtime.getTime() + 5000));
    const after = await buildRowIndex(file);
    expect(after.origins).toEqual(["built"]);
    expect(before.locate(1).line).toBe(3);
    expect(after.locate(1).line).toBe(4);
  });

  it("indexDir given → sidecars go there, none beside the data", async () => {
    const data = tempDir();
    const cache = join(tempDir(), "cache");
    const file = await writeCsv(data, "d.csv", numericCsv(3));
    await buildRowIndex(file, { indexDir: cache });
    expect(readdirSync(cache)).toHaveLength(1);
    expect(existsSync(defaultIndexDir(file))).toBe(false);
    expect((await buildRowIndex(file, { indexDir: cache })).origins).toEqual(["cached"]);
  });

  it("cache false → built in memory, nothing written", async () => {
    const file = await writeCsv(tempDir(), "m.csv", numericCsv(3));
    expect((await buildRowIndex(file, { cache: false })).origins).toEqual(["memory"]);
    expect(existsSync(defaultIndexDir(file))).toBe(false);
  });

  it("index folder cannot be created → built and kept in memory", async () => {
    const data = tempDir();
    const file = await writeCsv(data, "ro.csv", numericCsv(3));
    const blocker = join(data, "not-a-folder");
    await writeFile(blocker, "a file where the index folder should go");
    const index = await buildRowIndex(file, { indexDir: join(blocker, "index") });
    expect(index.origins).toEqual(["memory"]);
    expect(index.numRows).toBe(3);
  });
});
