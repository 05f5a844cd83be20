import { parse } from "csv-parse/sync";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { RecordCounter } from "../csv/count.ts";
import { chunked, randomCsv } from "../csv/csv-arbitraries.test-helpers.ts";
import { decodeSidecar, encodeSidecar, type FileKey, INDEX_FORMAT_VERSION } from "./sidecar.ts";
import { type RecordTable, recordLine, recordStart, TableBuilder } from "./table.ts";

function tableOf(chunks: readonly Uint8Array[]): RecordTable {
  const builder = new TableBuilder();
  const counter = new RecordCounter(builder);
  for (const chunk of chunks) counter.push(chunk);
  counter.end();
  return builder.finish();
}

/** csv-parse's records in `bytes` (the reader's options). */
function records(bytes: Uint8Array, delimiter: string): string[][] {
  return parse(Buffer.from(bytes), {
    delimiter,
    bom: true,
    relax_column_count: true,
    skip_empty_lines: true,
    record_delimiter: ["\r\n", "\n"],
  });
}

describe("RecordCounter with a sink", () => {
  it("random CSV at random chunk boundaries → each record's byte range parses to exactly that record, at its line", () => {
    fc.assert(
      fc.property(randomCsv({ ragged: true }), fc.array(fc.nat(), { maxLength: 6 }), (csv, cuts) => {
        const bytes = Buffer.from(csv.text);
        const table = tableOf(chunked(bytes, cuts));
        expect(table.numRecords).toBe(csv.records.length);
        for (let r = 0; r < table.numRecords; r++) {
          const end = r + 1 < table.numRecords ? recordStart(table, r + 1) : bytes.length;
          expect(records(bytes.subarray(recordStart(table, r), end), csv.delimiter)).toEqual([
            csv.records[r],
          ]);
          expect(recordLine(table, r)).toBe(csv.lines[r]);
        }
      }),
      { numRuns: 200 },
    );
  });

  it("plain file without blank lines or quoted newlines → no line marks are stored", () => {
    const table = tableOf([Buffer.from("a,b\n1,2\n3,4\n")]);
    expect([...table.lineMarks]).toEqual([]);
    expect([0, 1, 2].map((r) => recordLine(table, r))).toEqual([1, 2, 3]);
  });
});

describe("TableBuilder offsets past 4 GiB", () => {
  it.each([
    ["below 2^32", [0, 100, 2 ** 32 - 1]],
    ["crossing 2^32", [10, 2 ** 32 - 5, 2 ** 32 + 7, 2 ** 33 + 1]],
    ["skipping a whole 4 GiB step", [1, 2 ** 34 + 3, 2 ** 34 + 9]],
  ])("%s → every start is recovered exactly", (_name, starts) => {
    const builder = new TableBuilder();
    starts.forEach((start, i) => {
      builder.record(start, i + 1);
    });
    const table = builder.finish();
    expect(starts.map((_, r) => recordStart(table, r))).toEqual(starts);
    expect(table.low.byteLength).toBe(4 * starts.length);
  });
});

describe("sidecar", () => {
  const key: FileKey = { path: "/data/é/train.csv", sizeBytes: 12345, mtimeMs: 1700000000123.456 };
  const table = (() => {
    const builder = new TableBuilder();
    for (const [i, start] of [0, 9, 2 ** 32 + 4].entries()) builder.record(start, i === 2 ? 7 : i + 1);
    return builder.finish();
  })();

  it("encoded then decoded with the same key → the same table", () => {
    const fingerprint = Buffer.alloc(32, 7);
    const cached = decodeSidecar(encodeSidecar(key, table, fingerprint), key);
    expect(cached?.fingerprint).toEqual(fingerprint);
    const decoded = cached?.table as RecordTable;
    expect(decoded.numRecords).toBe(3);
    expect([0, 1, 2].map((r) => recordStart(decoded, r))).toEqual([0, 9, 2 ** 32 + 4]);
    expect([0, 1, 2].map((r) => recordLine(decoded, r))).toEqual([1, 2, 7]);
  });

  it("decoded from an unaligned copy → the same table", () => {
    const bytes = encodeSidecar(key, table, Buffer.alloc(32));
    const shifted = Buffer.alloc(bytes.length + 1);
    bytes.copy(shifted, 1);
    expect(decodeSidecar(shifted.subarray(1), key)?.table.numRecords).toBe(3);
  });

  it.each<[string, (bytes: Buffer) => [Buffer, FileKey]]>([
    ["another size", (b) => [b, { ...key, sizeBytes: 12346 }]],
    ["another mtime", (b) => [b, { ...key, mtimeMs: key.mtimeMs + 1 }]],
    ["another path", (b) => [b, { ...key, path: "/data/other.csv" }]],
    [
      "another format version",
      (b) => {
        b.writeUInt32LE(INDEX_FORMAT_VERSION + 1, 8);
        return [b, key];
      },
    ],
    ["a truncated file", (b) => [b.subarray(0, b.length - 8), key]],
    [
      "a flipped byte in the offsets",
      (b) => {
        b[b.length - 9] = (b[b.length - 9] as number) ^ 1;
        return [b, key];
      },
    ],
    [
      "another fingerprint written over the stored one",
      (b) => {
        b.fill(9, 56, 88);
        return [b, key];
      },
    ],
    ["not a sidecar", () => [Buffer.from("x,y\n1,2\n"), key]],
  ])("%s → not used (null)", (_name, change) => {
    const [bytes, wanted] = change(encodeSidecar(key, table, Buffer.alloc(32)));
    expect(decodeSidecar(bytes, wanted)).toBeNull();
  });
});
