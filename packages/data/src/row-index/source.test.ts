import { appendFile, mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { csvSource } from "../csv/source.ts";
import { DataError } from "../errors.ts";
import { type SampleBlock, sampleOf } from "../pipeline/block.ts";
import { createPipeline } from "../pipeline/pipeline.ts";
import { collect } from "../pipeline/test-helpers.ts";
import type { Sample } from "../types.ts";
import { planBlocks } from "./memory.ts";
import { openIndexedCsv } from "./source.ts";
import { numericCsv, numericSchema, tempDir, writeCsv } from "./test-helpers.ts";

const dir = tempDir();
let files = 0;
const schema = numericSchema();
const plain = (samples: Sample[]) =>
  samples.map((s) => ({ features: [...s.features], label: s.label, source: s.source }));
const samplesOf = (block: SampleBlock): Sample[] =>
  Array.from({ length: block.length }, (_, k) => sampleOf(block, k));

/** One data row written in one of several equivalent CSV spellings. */
const spelledRow = fc.record({
  quoted: fc.boolean(),
  eol: fc.constantFrom("\n", "\r\n"),
  blankBefore: fc.boolean(),
  bad: fc.boolean(),
});

async function writeParts(rows: { quoted: boolean; eol: string; blankBefore: boolean; bad: boolean }[][]) {
  const folder = join(dir, `parts-${files++}`);
  await mkdir(folder);
  let i = 0;
  for (const [p, part] of rows.entries()) {
    let text = "x,y,label\n";
    for (const row of part) {
      const x = row.bad ? "oops" : String(i);
      text += `${row.blankBefore ? "\n" : ""}${row.quoted ? `"${x}","${i / 2}"` : `${x},${i / 2}`},${i}${row.eol}`;
      i++;
    }
    await writeCsv(folder, `part-${p}.csv`, text);
  }
  return folder;
}

describe("openIndexedCsv: same samples as csvSource", () => {
  it("random part files (quotes, CRLF, blank lines, bad rows) under skip → stream and readBlock give csvSource's usable samples", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(spelledRow, { maxLength: 8 }), { minLength: 1, maxLength: 3 }),
        fc.array(fc.nat(), { maxLength: 20 }),
        async (parts, picks) => {
          fc.pre(parts.some((part) => part.some((row) => !row.bad)));
          const folder = await writeParts(parts);
          const expected = plain(
            await collect(csvSource({ paths: folder, schema, onBadRecord: "skip" }).stream()),
          );
          const source = await openIndexedCsv({ paths: folder, schema, onBadRecord: "skip", cache: false });
          expect(source.numSamples).toBe(expected.length);
          expect(source.badRows).toBe(parts.flat().filter((row) => row.bad).length);
          expect(plain(await collect(source.stream()))).toEqual(expected);
          const indices = picks.map((p) => p % expected.length);
          expect(plain(samplesOf(await source.readBlock(indices)))).toEqual(indices.map((i) => expected[i]));
        },
      ),
      { numRuns: 40 },
    );
  });

  it("no header, column names given → rows read with those names", async () => {
    const file = await writeCsv(dir, "no-header.csv", numericCsv(4, { header: false }));
    const source = await openIndexedCsv({
      paths: file,
      schema,
      header: false,
      columns: ["x", "y", "label"],
      cache: false,
    });
    expect(samplesOf(await source.readBlock([3, 0])).map((s) => [s.label, s.source.line])).toEqual([
      [3, 4],
      [0, 1],
    ]);
  });
});

describe("openIndexedCsv: a changed file", () => {
  it("rows appended after a first open → the next open re-indexes and reads them", async () => {
    const file = await writeCsv(tempDir(), "grows.csv", numericCsv(5));
    const before = await openIndexedCsv({ paths: file, schema });
    expect(before.index.origins).toEqual(["built"]);
    await appendFile(file, "5,2.5,5\n6,3,6\n");
    const after = await openIndexedCsv({ paths: file, schema });
    expect(after.index.origins).toEqual(["built"]);
    expect(after.numSamples).toBe(7);
    expect(samplesOf(await after.readBlock([6, 5])).map((s) => [s.label, s.source.line])).toEqual([
      [6, 8],
      [5, 7],
    ]);
  });

  it("shuffle buffer on an indexed source → read as a chunked stream, the same rows as csvSource", async () => {
    const file = await writeCsv(dir, "buffered.csv", numericCsv(50));
    const options = { batchSize: 7, seed: 3, shuffle: "buffer" as const, shuffleBuffer: 10, epochs: 2 };
    const indexed = await openIndexedCsv({ paths: file, schema, cache: false });
    const fromIndex = await collect((await createPipeline({ ...options, source: indexed })).batches());
    const fromStream = await collect(
      (await createPipeline({ ...options, source: csvSource({ paths: file, schema }) })).batches(),
    );
    expect(fromIndex.map((b) => b.rows.map((r) => r.index))).toEqual(
      fromStream.map((b) => b.rows.map((r) => r.index)),
    );
  });
});

describe("openIndexedCsv: bad rows", () => {
  const withBad = numericCsv(10).replace("\n3,1.5,3\n", "\n3,abc,3\n").replace("\n7,3.5,7\n", "\n7,3.5\n");

  it("error policy → every row counts, and reading a bad row throws its file:line", async () => {
    const file = await writeCsv(dir, "bad-error.csv", withBad);
    const source = await openIndexedCsv({ paths: file, schema, cache: false });
    expect(source.numSamples).toBe(10);
    await expect(source.readBlock([0, 3])).rejects.toThrow(
      `${file}:5: column 2 "y" expected a number, got "abc"`,
    );
  });

  it("quarantine → bad rows left out once, written once to the rejects file, counted in the summary", async () => {
    const file = await writeCsv(dir, "bad-quarantine.csv", withBad);
    const rejects = join(dir, "rejects.csv");
    const source = await openIndexedCsv({
      paths: file,
      schema,
      onBadRecord: "quarantine",
      rejects,
      cache: false,
    });
    expect(source.numSamples).toBe(8);
    const labels = (await collect(source.stream())).map((s) => s.label);
    expect(labels).toEqual([0, 1, 2, 4, 5, 6, 8, 9]);
    await collect(source.stream());
    const lines = (await readFile(rejects, "utf8")).trim().split("\n");
    expect(lines).toHaveLength(3);
    expect(source.summary().lastPass).toMatchObject({ rowsRead: 10, rowsUsed: 8, rowsQuarantined: 2 });
  });

  it.each<[string, number | string]>([
    ["a count", 1],
    ["a share", "15%"],
  ])(
    "more bad rows than maxBadRows as %s → DataError with the count and the first bad lines",
    async (_name, maxBadRows) => {
      const file = await writeCsv(dir, `bad-budget-${files++}.csv`, withBad);
      const opening = openIndexedCsv({ paths: file, schema, onBadRecord: "skip", maxBadRows, cache: false });
      await expect(opening).rejects.toThrow(DataError);
      await expect(opening).rejects.toThrow(/too many bad rows: 2 of 10 rows skipped, more than maxBadRows/);
      await expect(opening).rejects.toThrow(
        `first: ${file}:5: column 2 "y" expected a number, got "abc"; ${file}:9: expected 3 fields, got 2`,
      );
    },
  );

  it.each<[string, number | string]>([
    ["a count", 2],
    ["a share", "20%"],
  ])("bad rows within maxBadRows as %s → opens", async (_name, maxBadRows) => {
    const file = await writeCsv(dir, `bad-within-${files++}.csv`, withBad);
    const source = await openIndexedCsv({
      paths: file,
      schema,
      onBadRecord: "skip",
      maxBadRows,
      cache: false,
    });
    expect(source.numSamples).toBe(8);
  });

  it("declared numSamples that differs → DataError count-mismatch", async () => {
    const file = await writeCsv(dir, "declared.csv", numericCsv(5));
    await expect(openIndexedCsv({ paths: file, schema, numSamples: 6, cache: false })).rejects.toThrow(
      "expected 6 samples per pass (numSamples), the data has 5",
    );
  });

  it("an index outside the data → DataError naming the range", async () => {
    const source = await openIndexedCsv({
      paths: await writeCsv(dir, "range.csv", numericCsv(5)),
      schema,
      cache: false,
    });
    await expect(source.readBlock([0, 5])).rejects.toThrow(
      "sample index must be an integer in [0, 5), got 5",
    );
  });
});

describe("openIndexedCsv: memory budget", () => {
  it("budget → block size computed from it, and a full-shuffle pass never asks for a bigger block", async () => {
    const file = await writeCsv(dir, "budget.csv", numericCsv(500));
    const memoryBudget = 300 * 1024;
    const source = await openIndexedCsv({ paths: file, schema, memoryBudget, cache: false });
    const expected = planBlocks({
      memoryBudget,
      numFeatures: 2,
      indexBytes: source.index.indexBytes,
    }).blockSamples;
    expect(source.blockSamples).toBe(expected);
    expect(expected).toBeGreaterThan(1);
    expect(expected).toBeLessThan(500);
    const sizes: number[] = [];
    const read = source.readBlock;
    const spied = {
      ...source,
      readBlock: (indices: ArrayLike<number>) => {
        sizes.push(indices.length);
        return read(indices);
      },
    };
    const pipeline = await createPipeline({ source: spied, batchSize: 32, seed: 1, shuffle: "full" });
    expect((await collect(pipeline.batches())).reduce((n, b) => n + b.batchSize, 0)).toBe(500);
    expect(Math.max(...sizes)).toBe(expected);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(500);
  });

  it("a budget the index alone exceeds → DataError saying how much is needed", async () => {
    const file = await writeCsv(dir, "tiny-budget.csv", numericCsv(20));
    await expect(
      openIndexedCsv({ paths: file, schema, memoryBudget: "64KiB", cache: false }),
    ).rejects.toThrow(/memoryBudget 64 KiB is too small: .*give at least/);
  });

  it.each([["256MB"], [0], ["lots"]])(
    "memoryBudget %j → accepted only when it is a byte size",
    async (budget) => {
      const file = await writeCsv(dir, `b-${files++}.csv`, numericCsv(3));
      const opening = openIndexedCsv({ paths: file, schema, memoryBudget: budget, cache: false });
      if (budget === "256MB") await expect(opening).resolves.toBeDefined();
      else await expect(opening).rejects.toThrow("memoryBudget must be a positive byte count");
    },
  );
});
