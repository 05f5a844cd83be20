import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DataError } from "../errors.ts";
import { tempDir } from "../row-index/test-helpers.ts";
import { randomCsv } from "./csv-arbitraries.test-helpers.ts";
import { inferSchema } from "./infer.ts";
import { type CsvFileInfo, type CsvReadOptions, type CsvRow, readCsvRows } from "./read.ts";

const dir = tempDir("stepwise-read-");
let serial = 0;

async function file(content: string | Uint8Array, name = `f${serial++}.csv`): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, content);
  return path;
}

async function readAll(files: string[], options: CsvReadOptions = {}): Promise<CsvRow[]> {
  const rows: CsvRow[] = [];
  for await (const row of readCsvRows(files, options)) rows.push(row);
  return rows;
}

async function failure(files: string[], options: CsvReadOptions = {}): Promise<DataError> {
  try {
    await readAll(files, options);
  } catch (error) {
    if (error instanceof DataError) return error;
    throw error;
  }
  throw new Error("expected a DataError");
}

describe("readCsvRows: records and lines", () => {
  it("random CSV at random read sizes → the written records with their start lines", async () => {
    await fc.assert(
      fc.asyncProperty(randomCsv(), fc.integer({ min: 1, max: 64 }), async (csv, chunkBytes) => {
        const path = await file(csv.text);
        const rows = await readAll([path], { header: false, delimiter: csv.delimiter, chunkBytes });
        expect(rows.map((r) => r.fields)).toEqual(csv.records);
        expect(rows.map((r) => r.ref.line)).toEqual(csv.lines);
        expect(rows.map((r) => r.ref.index)).toEqual(csv.records.map((_, i) => i));
        expect(rows.every((r) => r.problem === null)).toBe(true);
      }),
      { numRuns: 120 },
    );
  });

  it("gzip file → same rows as the plain file", async () => {
    const text = 'a,b\r\n1,"x\ny"\n\n2,z\n';
    const plain = await readAll([await file(text)]);
    const gz = await readAll([await file(gzipSync(text), `g${serial++}.csv.gz`)]);
    expect(gz.map((r) => [r.fields, r.ref.line])).toEqual(plain.map((r) => [r.fields, r.ref.line]));
    expect(plain.map((r) => [r.fields, r.ref.line])).toEqual([
      [["1", "x\ny"], 2],
      [["2", "z"], 5],
    ]);
  });

  it("several files → global row index continues, file and fileIndex per row, header per file", async () => {
    const a = await file("x,y\n1,2\n3,4\n");
    const b = await file("\ufeffx;y\r\n5;6\r\n", `b${serial++}.csv`);
    const c = await file("x|y\n7|8\n");
    const seen: CsvFileInfo[] = [];
    const rows = [
      ...(await readAll([a], { onFile: (i) => seen.push(i) })),
      ...(await readAll([b], { delimiter: ";" })),
    ];
    expect(seen).toEqual([{ file: a, fileIndex: 0, columns: ["x", "y"], headerLine: 1 }]);
    expect(rows.map((r) => r.fields)).toEqual([
      ["1", "2"],
      ["3", "4"],
      ["5", "6"],
    ]);
    const all = await readAll([a, c], { delimiter: "|" });
    expect(all.map((r) => [r.ref.index, r.ref.fileIndex, r.ref.file === c])).toEqual([
      [0, 0, false],
      [1, 0, false],
      [2, 1, true],
    ]);
  });

  it("header cells → trimmed names, an empty cell named by position", async () => {
    const rows = await readAll([await file(" a ,,c\n1,2,3\n")]);
    expect(rows[0]?.info.columns).toEqual(["a", "column2", "c"]);
  });

  it("no header with given names → every record is data under those names", async () => {
    const rows = await readAll([await file("1\t2\n3\t4")], {
      header: false,
      columns: ["p", "q"],
      delimiter: "\t",
    });
    expect(rows.map((r) => r.fields)).toEqual([
      ["1", "2"],
      ["3", "4"],
    ]);
    expect(rows[0]?.info).toMatchObject({ columns: ["p", "q"], headerLine: null });
  });

  it("header-only file → no rows, header still reported", async () => {
    const seen: string[][] = [];
    const rows = await readAll([await file("a,b\n\n")], { onFile: (i) => seen.push([...i.columns]) });
    expect(rows).toEqual([]);
    expect(seen).toEqual([["a", "b"]]);
  });

  it("consumer stops early → reading ends without error", async () => {
    const path = await file(`x\n${"1\n".repeat(10000)}`);
    let n = 0;
    for await (const _row of readCsvRows([path], { chunkBytes: 64 })) if (++n === 3) break;
    expect(n).toBe(3);
  });
});

describe("readCsvRows: per-record problems", () => {
  it("wrong field count → problem on that row only, with its line", async () => {
    const rows = await readAll([await file("a,b,c\n1,2,3\n4,5\n6,7,8,9\n")]);
    expect(rows.map((r) => [r.ref.line, r.problem?.code ?? null])).toEqual([
      [2, null],
      [3, "field-count"],
      [4, "field-count"],
    ]);
    expect(rows[1]?.problem?.reason).toBe("expected 3 fields, got 2");
  });

  it("Latin-1 byte in a field → invalid-utf8 on that row, naming the column", async () => {
    const bytes = Buffer.concat([
      Buffer.from("id,name\n1,ok\n2,caf"),
      Uint8Array.of(0xe9),
      Buffer.from("\n3,\u00e9t\u00e9\n"),
    ]);
    const rows = await readAll([await file(bytes)], { chunkBytes: 5 });
    expect(rows.map((r) => r.problem?.code ?? null)).toEqual([null, "invalid-utf8", null]);
    expect(rows[1]?.problem).toMatchObject({ column: "name", columnNumber: 2 });
    expect(rows[1]?.ref.line).toBe(3);
  });
});

describe("readCsvRows: structural errors", () => {
  it.each([
    ["a zero-byte file", "empty-file", null, ""],
    ["a file of empty lines", "empty-file", null, "\n\r\n\n"],
    ["duplicate header names", "duplicate-column", 1, "a,b,a\n1,2,3\n"],
    ["an unterminated quote", "quote", 3, 'a,b\n1,2\n3,"x\n4,5\n'],
    ["text after a closing quote", "quote", 3, 'a,b\n\n1,"x"y\n'],
    ["a quote inside an unquoted field", "quote", 2, 'a,b\n1,x"y\n'],
  ])("%s → DataError %s at line %s", async (_name, code, line, text) => {
    const error = await failure([await file(text)]);
    expect(error).toMatchObject({ name: "DataError", code, line });
    expect(error.message.split("\n")).toHaveLength(1);
  });

  it.each([
    ["an unterminated quote", 'a,b\n1,2\n3,"x\n4,5\n'],
    ["text after a closing quote", 'a,b\n1,"x"y\n2,3\n'],
    ["a quote inside an unquoted field", 'a,b\n1,x"y\n2,3\n'],
  ])("%s under skip → still a one-line error that says why it cannot be skipped", async (_name, text) => {
    const path = await file(text);
    for (const parser of ["fast", "csv-parse"] as const) {
      const error = await inferSchema({ paths: path, label: "b", onBadRecord: "skip", parser }).catch(
        (e) => e,
      );
      expect(error).toMatchObject({ name: "DataError", code: "quote", file: path });
      expect(error.message).toMatch(
        /the bad-record policy cannot skip it: a broken quote moves where records end/,
      );
      expect(error.message.split("\n")).toHaveLength(1);
    }
  });

  it("unterminated quote after quoted newlines → line where the broken record starts", async () => {
    const error = await failure([await file('a,b\n1,"p\nq"\n2,"open\n\n3,4\n')], { chunkBytes: 3 });
    expect(error.line).toBe(4);
    expect(error.message).toMatch(/:4: quoted field in column 2 "b" is never closed/);
  });

  it("a record longer than the limit → record-too-long", async () => {
    const error = await failure([await file(`a\n"${"x".repeat(200)}\n`)], { maxRecordChars: 50 });
    expect(error.code).toBe("record-too-long");
  });

  it.each(["ab", "", ";;", '"', "\r\n"])("delimiter %j → options error before reading", async (delimiter) => {
    const rows = readCsvRows([join(dir, "never-read.csv")], { delimiter });
    await expect(rows.next()).rejects.toMatchObject({
      code: "options",
      message: expect.stringContaining("delimiter must be one character"),
    });
  });

  it("a one-character delimiter outside ASCII → split on it", async () => {
    const path = join(dir, "section.csv");
    await writeFile(path, "a§b\n1§2\n");
    const rows = [];
    for await (const row of readCsvRows([path], { delimiter: "§" })) rows.push(row.fields);
    expect(rows).toEqual([["1", "2"]]);
  });

  it.each(["fast", "csv-parse"] as const)(
    "CR-only line endings (%s) → line-endings error, not a header without rows",
    async (parser) => {
      const path = join(dir, `cr-only-${parser}.csv`);
      await writeFile(path, "x,y\r1,2\r3,4\r");
      for (const header of [true, false]) {
        const error = await (async () => {
          for await (const _ of readCsvRows([path], { parser, header }));
        })().catch((e) => e);
        expect(error).toMatchObject({ name: "DataError", code: "line-endings", file: path });
        expect(error.message).toMatch(/line endings are CR only/);
        expect(error.message.split("\n")).toHaveLength(1);
      }
    },
  );

  it("a file of one record whose lone CR is quoted → read as data, not refused", async () => {
    const path = join(dir, "one-quoted-cr.csv");
    await writeFile(path, '"a\rb",c');
    const rows = [];
    for await (const row of readCsvRows([path], { header: false })) rows.push(row.fields);
    expect(rows).toEqual([["a\rb", "c"]]);
  });

  it("a lone CR inside a quoted field of a file with line feeds → read as data", async () => {
    const path = join(dir, "quoted-cr.csv");
    await writeFile(path, 'x,y\n"a\rb",2\n');
    const rows = [];
    for await (const row of readCsvRows([path])) rows.push(row.fields);
    expect(rows).toEqual([["a\rb", "2"]]);
  });

  it("header with columns given → options error before reading", async () => {
    const error = await failure([await file("a\n1\n")], { columns: ["z"] });
    expect(error.code).toBe("options");
  });

  it("corrupt gzip → io error naming the file", async () => {
    const path = await file("not gzip at all", `c${serial++}.csv.gz`);
    const error = await failure([path]);
    expect(error).toMatchObject({ code: "io", file: path });
  });
});
