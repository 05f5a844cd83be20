import { existsSync } from "node:fs";
import { readFile, stat, utimes, writeFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { DataError } from "../errors.ts";
import { sampleOf } from "../pipeline/block.ts";
import { sampleRanges } from "./fingerprint.ts";
import { buildRowIndex } from "./row-index.ts";
import { sidecarPath } from "./sidecar.ts";
import { openIndexedCsv } from "./source.ts";
import { numericCsv, numericSchema, tempDir, writeCsv } from "./test-helpers.ts";

const schema = numericSchema();

/** A whole second, so that `utimes` can set it back exactly (it cannot carry sub-millisecond times). */
const MTIME = 1_700_000_000;

/** Writes a data file with a round mtime, which `rewriteKeepingMtime` can restore exactly. */
async function writeData(name: string, text: string): Promise<string> {
  const file = await writeCsv(tempDir(), name, text);
  await utimes(file, MTIME, MTIME);
  return file;
}

/** Writes `text` over `file` and gives it back its size-and-mtime identity. */
async function rewriteKeepingMtime(file: string, text: string): Promise<void> {
  const before = await stat(file);
  expect(Buffer.byteLength(text)).toBe(before.size);
  await writeFile(file, text);
  await utimes(file, MTIME, MTIME);
  expect((await stat(file)).mtimeMs).toBe(before.mtimeMs);
}

/** Moves one byte from data row `row`'s last field to the next row's, so line feeds move but the size stays. */
function shiftLineFeed(text: string, row: number): string {
  const lines = text.split("\n");
  const a = lines[row + 1] as string; // + 1: the header
  lines[row + 1] = a.slice(0, -1);
  lines[row + 2] = `${lines[row + 2]}${a.at(-1)}`;
  return lines.join("\n");
}

describe("row index: stale sidecars", () => {
  it("file rewritten with the same size and its mtime restored → fingerprint differs, index rebuilt", async () => {
    const file = await writeData("same.csv", numericCsv(50));
    expect((await buildRowIndex(file)).origins).toEqual(["built"]);
    await rewriteKeepingMtime(file, shiftLineFeed(await readFile(file, "utf8"), 20));
    const after = await buildRowIndex(file);
    expect(after.origins).toEqual(["built"]);
    const fresh = await buildRowIndex(file, { cache: false });
    expect([20, 21, 22].map((r) => after.locate(r))).toEqual([20, 21, 22].map((r) => fresh.locate(r)));
    expect((await buildRowIndex(file)).origins).toEqual(["cached"]);
  });

  it("sidecar offsets corrupted → the checksum fails, index rebuilt", async () => {
    const file = await writeCsv(tempDir(), "corrupt.csv", numericCsv(50));
    const good = await buildRowIndex(file);
    const sidecar = sidecarPath(file, null);
    const bytes = await readFile(sidecar);
    bytes.writeUInt32LE(bytes.readUInt32LE(bytes.length - 40) + 3, bytes.length - 40); // an offset near the end
    await writeFile(sidecar, bytes);
    const again = await buildRowIndex(file);
    expect(again.origins).toEqual(["built"]);
    expect(Array.from({ length: 50 }, (_, r) => again.locate(r))).toEqual(
      Array.from({ length: 50 }, (_, r) => good.locate(r)),
    );
  });

  it("a change between the sampled blocks → the read through the index fails naming the file, and the next open rebuilds", async () => {
    const file = await writeData("big.csv", numericCsv(40_000));
    const text = await readFile(file, "utf8");
    const ranges = sampleRanges(Buffer.byteLength(text));
    expect(ranges.length).toBe(64); // the file is larger than what the fingerprint reads
    // A data row lying wholly in the gap after the 30th sampled block, with the next row too.
    const gapStart = (ranges[30] as [number, number])[1];
    const row = text.slice(0, gapStart + 64).split("\n").length - 1;
    const changed = shiftLineFeed(text, row);
    expect(sampleRanges(changed.length).every(([a, b]) => changed.slice(a, b) === text.slice(a, b))).toBe(
      true,
    );
    const opened = await openIndexedCsv({ paths: file, schema });
    expect(opened.index.origins).toEqual(["built"]);
    await rewriteKeepingMtime(file, changed);
    const stale = await openIndexedCsv({ paths: file, schema });
    expect(stale.index.origins).toEqual(["cached"]); // the fingerprint cannot see it
    const error = await stale.readBlock([row + 1]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataError);
    expect(error).toMatchObject({ code: "count-mismatch", file });
    expect((error as Error).message).toMatch(
      /the row index does not match the file .*changed after it was indexed/,
    );
    expect((error as Error).message.split("\n")).toHaveLength(1);
    expect(existsSync(sidecarPath(file, null))).toBe(false);
    const rebuilt = await openIndexedCsv({ paths: file, schema });
    expect(rebuilt.index.origins).toEqual(["built"]);
    const block = await rebuilt.readBlock([row, row + 1]);
    const labels = changed
      .split("\n")
      .slice(row + 1, row + 3)
      .map((line) => Number(line.split(",")[2]));
    expect([0, 1].map((k) => sampleOf(block, k).label)).toEqual(labels);
  });

  it("every row of a well-formed file read through a cached index → no false alarm", async () => {
    const file = await writeCsv(tempDir(), "ok.csv", `\ufeff${numericCsv(30, { eol: "\r\n" })}\r\n\r\n`);
    await openIndexedCsv({ paths: file, schema });
    const source = await openIndexedCsv({ paths: file, schema });
    expect(source.index.origins).toEqual(["cached"]);
    const all = Array.from({ length: 30 }, (_, i) => 29 - i);
    const block = await source.readBlock(all);
    expect(all.map((_, k) => sampleOf(block, k).label)).toEqual(all);
  });
});
