import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DataError } from "../errors.ts";
import { tempDir } from "../row-index/test-helpers.ts";
import { chunked, randomCsv } from "./csv-arbitraries.test-helpers.ts";
import { type CsvRow, readCsvRows } from "./read.ts";
import type { CsvParser } from "./records.ts";
import { CsvSyntaxError, RecordSplitter, type SplitRecord } from "./split.ts";

function split(chunks: readonly Uint8Array[], delimiter: string, maxRecordBytes = 1 << 20): SplitRecord[] {
  const splitter = new RecordSplitter(delimiter, maxRecordBytes);
  const out: SplitRecord[] = [];
  for (const chunk of chunks) splitter.push(Buffer.from(chunk), out);
  splitter.end(out);
  return out;
}

function reference(bytes: Uint8Array, delimiter: string): string[][] {
  return parse(Buffer.from(bytes), {
    delimiter,
    bom: true,
    relax_column_count: true,
    skip_empty_lines: true,
    record_delimiter: ["\r\n", "\n"],
  });
}

describe("RecordSplitter", () => {
  it("random CSV at random chunk boundaries → csv-parse's records, the written start lines, exact byte ranges", () => {
    fc.assert(
      fc.property(randomCsv({ ragged: true }), fc.array(fc.nat(), { maxLength: 8 }), (csv, cuts) => {
        const bytes = Buffer.from(csv.text);
        const records = split(chunked(bytes, cuts), csv.delimiter);
        expect(records.map((r) => r.fields)).toEqual(reference(bytes, csv.delimiter));
        expect(records.map((r) => r.fields)).toEqual(csv.records);
        expect(records.map((r) => r.line)).toEqual(csv.lines);
        // Byte ranges tile the input after the BOM, apart from empty lines between records.
        const body = csv.text.startsWith("\ufeff") ? 3 : 0;
        for (const [i, r] of records.entries()) {
          expect(r.start).toBeGreaterThanOrEqual(i === 0 ? body : (records[i - 1] as SplitRecord).end);
          expect(
            bytes.subarray(i === 0 ? body : (records[i - 1] as SplitRecord).end, r.start).toString(),
          ).toMatch(/^(\r?\n)*$/);
        }
      }),
      { numRuns: 500 },
    );
  });

  it.each([
    ['a,"b', "CSV_QUOTE_NOT_CLOSED", 1],
    ['a,"b"c\n', "CSV_INVALID_CLOSING_QUOTE", 1],
    ['a,"b"\r', "CSV_INVALID_CLOSING_QUOTE", 1],
    ['ab"c\n', "INVALID_OPENING_QUOTE", 0],
    ['x,y\n\n"p""q",r"s', "INVALID_OPENING_QUOTE", 1],
  ])("%j → %s at field %i, as csv-parse", (text, code, column) => {
    expect(() => reference(Buffer.from(text), ",")).toThrow(expect.objectContaining({ code }));
    expect(() => split([Buffer.from(text)], ",")).toThrow(expect.objectContaining({ code, column }));
  });

  it("unfinished record longer than the limit → CSV_MAX_RECORD_SIZE before reading further", () => {
    const splitter = new RecordSplitter(",", 100);
    expect(() => splitter.push(Buffer.from(`a,"${"x".repeat(200)}`), [])).toThrow(CsvSyntaxError);
  });

  it("multi-byte delimiter split across chunks → same fields", () => {
    const bytes = Buffer.from('a::b::c\n1::"2::x"::3\n');
    for (let cut = 0; cut <= bytes.length; cut++) {
      expect(split([bytes.subarray(0, cut), bytes.subarray(cut)], "::").map((r) => r.fields)).toEqual([
        ["a", "b", "c"],
        ["1", "2::x", "3"],
      ]);
    }
  });
});

describe("readCsvRows: fast path = csv-parse path", () => {
  const dir = tempDir("stepwise-split-");
  let serial = 0;

  async function outcome(path: string, parser: CsvParser, delimiter: string, chunkBytes: number) {
    const rows: [string[], number | null, string | null][] = [];
    try {
      for await (const row of readCsvRows([path], { parser, delimiter, chunkBytes, header: false })) {
        rows.push([row.fields, row.ref.line, row.problem?.code ?? null]);
      }
      return { rows, error: null };
    } catch (error) {
      if (!(error instanceof DataError)) throw error;
      return { rows: null, error: [error.code, error.line, error.columnNumber] };
    }
  }

  /** Damage: a stray quote, a stray byte that is not UTF-8, or a cut. */
  const damage = fc.tuple(fc.constantFrom('"', "\xff", "cut"), fc.nat());

  it("random CSV with random damage → the same rows, or the same error at the same line and column", async () => {
    await fc.assert(
      fc.asyncProperty(
        randomCsv({ ragged: true }),
        fc.array(damage, { maxLength: 2 }),
        fc.integer({ min: 1, max: 40 }),
        async (csv, damages, chunkBytes) => {
          let bytes = Buffer.from(csv.text);
          for (const [kind, at] of damages) {
            const i = at % (bytes.length + 1);
            const insert =
              kind === "cut" ? Buffer.alloc(0) : kind === '"' ? Buffer.from('"') : Uint8Array.of(0xff);
            bytes = Buffer.concat([
              bytes.subarray(0, i),
              insert,
              bytes.subarray(kind === "cut" ? Math.min(bytes.length, i + 3) : i),
            ]);
          }
          const path = join(dir, `d${serial++}.csv`);
          await writeFile(path, bytes);
          const fast = await outcome(path, "fast", csv.delimiter, chunkBytes);
          const slow = await outcome(path, "csv-parse", csv.delimiter, chunkBytes);
          expect(fast).toEqual(slow);
        },
      ),
      { numRuns: 250 },
    );
  });

  it("unknown parser name → options error", async () => {
    const rows = readCsvRows([join(dir, "x.csv")], { parser: "papaparse" as CsvParser });
    await expect(rows.next()).rejects.toMatchObject({ code: "options" });
  });

  it("rows before a broken record → still delivered by the fast path", async () => {
    const path = join(dir, `b${serial++}.csv`);
    await writeFile(path, 'a\n1\n2\n"3\n');
    const seen: CsvRow[] = [];
    await expect(
      (async () => {
        for await (const row of readCsvRows([path])) seen.push(row);
      })(),
    ).rejects.toMatchObject({ code: "quote", line: 4 });
    expect(seen.map((r) => r.fields)).toEqual([["1"], ["2"]]);
  });
});
