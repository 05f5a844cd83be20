import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { parse } from "csv-parse/sync";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DataError } from "../errors.ts";
import { tempDir } from "../row-index/test-helpers.ts";
import { countRows, countRowsPerFile, RecordCounter } from "./count.ts";
import { chunked, randomCsv } from "./csv-arbitraries.test-helpers.ts";

/** The reference: csv-parse with the reader's options. */
function csvParseCount(bytes: Uint8Array, delimiter = ","): number {
  const records = parse(Buffer.from(bytes), {
    delimiter,
    bom: true,
    relax_column_count: true,
    skip_empty_lines: true,
    record_delimiter: ["\r\n", "\n"],
  });
  return records.length;
}

function countChunks(chunks: readonly Uint8Array[]): number {
  const counter = new RecordCounter();
  for (const chunk of chunks) counter.push(chunk);
  return counter.end();
}

describe("RecordCounter", () => {
  it.each([
    ["empty input", "", 0],
    ["one line without newline", "a,b", 1],
    ["one line with newline", "a,b\n", 1],
    ["CRLF endings", "a,b\r\n1,2\r\n", 2],
    ["empty lines anywhere", "\n\na\n\n\r\nb\n\n\n", 2],
    ["lone CR line before LF is empty", "a\n\r\nb", 2],
    ["lone CR at end of file is a record", "a\n\r", 2],
    ["CR inside a line is data", "a\rb\n", 1],
    ["quoted newline", 'a,"x\ny"\nb,c\n', 2],
    ["quoted CRLF", 'a,"x\r\ny"\r\nb,c', 2],
    ["escaped quotes around a newline", '"a""\n""b"\nc\n', 2],
    ["empty quoted field alone", '""\n""\n', 2],
    ["BOM then empty line", "\ufeff\na\n", 1],
    ["BOM only", "\ufeff", 0],
    ["whitespace line is a record", " \n", 1],
  ])("%s → %i records", (_name, text, expected) => {
    const bytes = Buffer.from(text as string);
    expect(countChunks([bytes])).toBe(expected);
    expect(csvParseCount(bytes)).toBe(expected); // the table itself agrees with the reference
  });

  it("random CSV split at random chunk boundaries → same count as csv-parse", () => {
    fc.assert(
      fc.property(randomCsv({ ragged: true }), fc.array(fc.nat(), { maxLength: 6 }), (csv, cuts) => {
        const bytes = Buffer.from(csv.text);
        const expected = csvParseCount(bytes, csv.delimiter);
        expect(expected).toBe(csv.records.length);
        expect(countChunks(chunked(bytes, cuts))).toBe(expected);
      }),
      { numRuns: 400 },
    );
  });

  it("one-byte chunks → same count as whole input", () => {
    fc.assert(
      fc.property(randomCsv({ maxRows: 5 }), (csv) => {
        const bytes = Buffer.from(csv.text);
        const single = Array.from(bytes, (b) => Uint8Array.of(b));
        expect(countChunks(single)).toBe(countChunks([bytes]));
      }),
      { numRuns: 100 },
    );
  });
});

describe("countRows", () => {
  async function files(entries: Record<string, string | Uint8Array>): Promise<string> {
    const dir = tempDir("stepwise-count-");
    for (const [name, content] of Object.entries(entries)) await writeFile(join(dir, name), content);
    return dir;
  }

  it("directory of part files with headers → data rows per file and in all", async () => {
    const dir = await files({
      "part-1.csv": "x,y\n1,2\n3,4\n",
      "part-2.csv.gz": gzipSync("x,y\r\n5,6\r\n"),
      "part-10.csv": "x,y\n",
    });
    const count = await countRowsPerFile(dir);
    expect(count.files.map((f) => [f.file.slice(dir.length + 1), f.numRows])).toEqual([
      ["part-1.csv", 2],
      ["part-2.csv.gz", 1],
      ["part-10.csv", 0],
    ]);
    expect(count.numRows).toBe(3);
  });

  it("header false → every record is a row", async () => {
    const dir = await files({ "a.csv": "1;2\n3;4" });
    expect(await countRows(join(dir, "a.csv"), { header: false, delimiter: ";" })).toBe(2);
  });

  it("small read size → same count as the default", async () => {
    const text = Array.from({ length: 200 }, (_, i) => `${i},"q\n${i}"`).join("\r\n");
    const dir = await files({ "a.csv": `h1,h2\n${text}\n` });
    const path = join(dir, "a.csv");
    expect(await countRows(path, { chunkBytes: 7 })).toBe(200);
    expect(await countRows(path)).toBe(200);
  });

  it("empty file → DataError naming the file", async () => {
    const dir = await files({ "e.csv": "\n\n" });
    await expect(countRows(join(dir, "e.csv"))).rejects.toThrow(DataError);
    await expect(countRows(join(dir, "e.csv"))).rejects.toThrow(/e\.csv: empty file/);
  });

  it("missing file → DataError with code file-not-found", async () => {
    await expect(countRows("/nonexistent/x.csv")).rejects.toMatchObject({ code: "file-not-found" });
  });
});
