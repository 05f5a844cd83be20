import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { parse } from "csv-parse/sync";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { tempDir } from "../row-index/test-helpers.ts";
import type { Schema } from "../schema/types.ts";
import type { Sample } from "../types.ts";
import { inferSchema } from "./infer.ts";
import { type CsvSourceOptions, csvSource } from "./source.ts";

const dir = tempDir("stepwise-source-");
let serial = 0;
async function file(content: string | Uint8Array, name = `f${serial++}.csv`): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, content);
  return path;
}

const schema: Schema = {
  version: 2,
  columns: ["x", "c", "y"],
  features: [
    { name: "x", kind: "numeric", default: null, stats: { count: 2, mean: 1, std: 2, min: -1, max: 3 } },
    {
      name: "c",
      kind: "categorical",
      encoding: "one-hot",
      oovInput: false,
      distinct: 0,
      default: null,
      vocabulary: ["p", "q"],
      rowsOutsideVocabulary: 0,
    },
  ],
  label: { name: "y", kind: "string-classes", vocabulary: ["a", "b"] },
  ignored: [],
  normalization: "standard",
  numFeatures: 3,
  fit: { rowsRead: 2, rowsUsed: 2, rowsSkipped: 0, sampleRows: 2 },
  notes: [],
};

async function pass(options: Omit<CsvSourceOptions, "schema"> & { schema?: Schema }) {
  const source = csvSource({ schema, ...options });
  const samples: Sample[] = [];
  for await (const sample of source.stream()) samples.push(sample);
  return { source, samples };
}

describe("csvSource: reading", () => {
  it("a clean file → one encoded sample per row with its RowRef", async () => {
    const path = await file("x,c,y\r\n3,q,b\r\n\r\n-1,p,a\r\n");
    const { source, samples } = await pass({ paths: path });
    expect(samples.map((s) => [[...s.features], s.label, s.source])).toEqual([
      [[1, 0, 1], 1, { index: 0, file: path, fileIndex: 0, line: 2 }],
      [[-1, 1, 0], 0, { index: 1, file: path, fileIndex: 0, line: 4 }],
    ]);
    expect(source.numFeatures).toBe(3);
    expect(source.summary().lastPass).toEqual({
      pass: 0,
      complete: true,
      rowsRead: 2,
      rowsUsed: 2,
      rowsSkipped: 0,
      rowsQuarantined: 0,
    });
  });

  it("a directory of parts with gzip → rows in natural file order, index continuing across files", async () => {
    const parts = join(dir, `parts${serial++}`);
    await import("node:fs/promises").then((fs) => fs.mkdir(parts));
    await writeFile(join(parts, "part-10.csv"), "x,c,y\n3,q,b\n");
    await writeFile(join(parts, "part-2.csv.gz"), gzipSync("c;x;y\np;1;a\nq;2;b\n".replace(/;/g, ",")));
    const { source, samples } = await pass({ paths: parts });
    expect(samples.map((s) => [s.source.index, s.source.fileIndex, s.features[0]])).toEqual([
      [0, 0, 0],
      [1, 0, 0.5],
      [2, 1, 1],
    ]);
    expect((await source.files()).map((f) => f.slice(parts.length + 1))).toEqual([
      "part-2.csv.gz",
      "part-10.csv",
    ]);
  });

  it("two passes → identical samples, cumulative counts add up", async () => {
    const path = await file("x,c,y\n1,p,a\n2,q,b\n");
    const source = csvSource({ paths: path, schema });
    const read = async () => {
      const out: number[][] = [];
      for await (const s of source.stream()) out.push([...s.features, s.label]);
      return out;
    };
    expect(await read()).toEqual(await read());
    expect(source.summary()).toMatchObject({
      passesStarted: 2,
      passesCompleted: 2,
      cumulative: { rowsRead: 4, rowsUsed: 4 },
    });
  });

  it("files without a header, names given → read under those names", async () => {
    const path = await file("q;3;b\n");
    const { samples } = await pass({ paths: path, header: false, columns: ["c", "x", "y"], delimiter: ";" });
    expect(samples.map((s) => [[...s.features], s.label, s.source.line])).toEqual([[[1, 0, 1], 1, 1]]);
  });

  it("prediction data without the label → labels NaN", async () => {
    const { samples } = await pass({ paths: await file("x,c\n1,p\n"), requireLabel: false });
    expect(samples[0]?.label).toBeNaN();
  });

  it("an abandoned pass → summary says it is incomplete", async () => {
    const source = csvSource({ paths: await file("x,c,y\n1,p,a\n2,q,b\n"), schema });
    for await (const _ of source.stream()) break;
    expect(source.summary().lastPass).toMatchObject({ complete: false, rowsUsed: 1 });
  });
});

describe("csvSource: bad records", () => {
  const text = "x,c,y\n1,p,a\nabc,q,b\n2,p\n3,q,\n4,r,a\n";

  it("error policy → one-line DataError at the first bad row with column and expectation", async () => {
    const path = await file(text);
    await expect(pass({ paths: path })).rejects.toThrow(
      expect.objectContaining({
        name: "DataError",
        code: "bad-number",
        message: `${path}:3: column 1 "x" expected a number, got "abc"`,
        file: path,
        line: 3,
        column: "x",
        columnNumber: 1,
      }),
    );
  });

  it("skip policy → bad rows counted by kind, unseen category counted, good rows used", async () => {
    const { source, samples } = await pass({ paths: await file(text), onBadRecord: "skip" });
    expect(samples.map((s) => s.source.line)).toEqual([2, 6]);
    const summary = source.summary();
    expect(summary.lastPass).toMatchObject({ rowsRead: 5, rowsUsed: 2, rowsSkipped: 3, rowsQuarantined: 0 });
    expect(summary.badRecords).toEqual({ "bad-number": 1, "field-count": 1, "missing-label": 1 });
    expect(summary.unseenCategories).toEqual({ c: 1 });
  });

  it("quarantine → rejects CSV with file, line, row, column, reason and the record; each row once over passes", async () => {
    const path = await file(text);
    const rejects = join(dir, `rejects${serial++}.csv`);
    const source = csvSource({ paths: path, schema, onBadRecord: "quarantine", rejects });
    for (let p = 0; p < 2; p++) for await (const _ of source.stream());
    const rows = parse(await readFile(rejects, "utf8"), { columns: true }) as Record<string, string>[];
    expect(rows).toEqual([
      {
        file: path,
        line: "3",
        row: "1",
        column: "1 x",
        reason: 'column 1 "x" expected a number, got "abc"',
        record: "abc,q,b",
      },
      { file: path, line: "4", row: "2", column: "", reason: "expected 3 fields, got 2", record: "2,p" },
      {
        file: path,
        line: "5",
        row: "3",
        column: "3 y",
        reason: 'label column 3 "y" is empty',
        record: "3,q,",
      },
    ]);
    expect(source.summary()).toMatchObject({
      cumulative: { rowsRead: 10, rowsUsed: 4, rowsQuarantined: 6 },
      rejects,
    });
  });

  it("random mixes of good and bad rows → read = used + skipped + quarantined, good rows kept in order", async () => {
    const kinds = [
      "good",
      "good",
      "bad-number",
      "nan",
      "missing-label",
      "field-count",
      "utf8",
      "blank",
    ] as const;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom(...kinds), { minLength: 1, maxLength: 25 }),
        fc.constantFrom("skip", "quarantine"),
        fc.constantFrom("fast", "csv-parse"),
        async (plan, policy, parser) => {
          const pieces: Buffer[] = [Buffer.from("x,c,y\n")];
          const goodLines: number[] = [];
          let line = 2;
          let rows = 0;
          for (const kind of plan) {
            const body: Record<(typeof kinds)[number], string | Buffer> = {
              good: "1.5,q,b\n",
              "bad-number": "1.5.1,q,b\n",
              nan: "NaN,q,b\n",
              "missing-label": "1,p, \n",
              "field-count": '1,"p\nq",b,extra\n',
              utf8: Buffer.concat([Buffer.from("1,"), Uint8Array.of(0xff), Buffer.from(",a\n")]),
              blank: "\n",
            };
            pieces.push(Buffer.from(body[kind]));
            if (kind === "good") goodLines.push(line);
            if (kind !== "blank") rows++;
            line += kind === "field-count" ? 2 : 1;
          }
          pieces.push(Buffer.from("2,p,a\n")); // at least one good row
          goodLines.push(line);
          rows++;
          const rejects = join(dir, `r${serial++}.csv`);
          const { source, samples } = await pass({
            paths: await file(Buffer.concat(pieces)),
            onBadRecord: policy,
            rejects,
            parser,
            chunkBytes: 16,
          });
          const counts = source.summary().lastPass;
          expect(counts?.rowsRead).toBe(rows);
          expect(counts?.rowsUsed).toBe(goodLines.length);
          expect(counts && counts.rowsUsed + counts.rowsSkipped + counts.rowsQuarantined).toBe(
            counts?.rowsRead,
          );
          expect(samples.map((s) => s.source.line)).toEqual(goodLines);
          if (policy === "quarantine") {
            const written = parse(await readFile(rejects, "utf8"), { columns: true }) as unknown[];
            expect(written.length).toBe(counts?.rowsQuarantined);
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe("csvSource: errors whatever the policy", () => {
  it.each([
    ["a part missing the label column", "missing-column", ["x,c,y\n1,p,a\n", "x,c\n1,p\n"]],
    ["duplicate header names", "duplicate-column", ["x,c,y,x\n1,p,a,2\n"]],
    ["an empty file", "empty-file", [""]],
    ["only a header", "no-data", ["x,c,y\n"]],
    ["only bad rows", "no-data", ["x,c,y\nq,p,a\n"]],
    ["an unterminated quote", "quote", ['x,c,y\n1,"p,a\n2,q,b\n']],
  ])("%s under skip → DataError %s", async (_name, code, contents) => {
    const paths = await Promise.all(contents.map((c) => file(c)));
    await expect(pass({ paths, onBadRecord: "skip" })).rejects.toMatchObject({ name: "DataError", code });
  });

  it("numSamples differs from a pass → count-mismatch at the end of the pass", async () => {
    const path = await file("x,c,y\n1,p,a\nbad,p,a\n");
    await expect(pass({ paths: path, onBadRecord: "skip", numSamples: 2 })).rejects.toThrow(
      /expected 2 samples per pass \(numSamples\), read 1/,
    );
  });

  it.each([
    ["quarantine without a rejects path", { onBadRecord: "quarantine" }, /needs a rejects file/],
    ["an unknown policy", { onBadRecord: "drop" }, /onBadRecord must be one of error, skip, quarantine/],
    ["numSamples 0", { numSamples: 0 }, /numSamples must be a positive integer/],
    ["a quote as delimiter", { delimiter: '"' }, /delimiter must be/],
  ])("%s → options DataError when the source is made", (_name, options, message) => {
    expect(() => csvSource({ paths: "x.csv", schema, ...(options as object) })).toThrow(message);
  });
});

describe("inferSchema then csvSource", () => {
  it("fitted rowsUsed as numSamples → passes agree with it under skip", async () => {
    const path = await file("a,b,label\n1,x,cat\n2,y,dog\nzz,x,cat\n3,x,dog\n4,y,cat\n5,x,dog\n");
    const fitted = await inferSchema({
      paths: path,
      label: "label",
      numeric: ["a"],
      categorical: ["b"],
      onBadRecord: "skip",
    });
    expect(fitted.fit.rowsUsed).toBe(5);
    const { samples } = await pass({
      paths: path,
      schema: fitted,
      onBadRecord: "skip",
      numSamples: fitted.fit.rowsUsed,
    });
    expect(samples).toHaveLength(5);
    const mean = samples.reduce((s, x) => s + (x.features[0] as number), 0) / samples.length;
    expect(mean).toBeCloseTo(0, 6); // standardized on the same rows
  });
});
