import { open, writeFile } from "node:fs/promises";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { chunked } from "../csv/csv-arbitraries.test-helpers.ts";
import {
  fingerprintFile,
  SAMPLE_BLOCK_BYTES,
  SAMPLE_BLOCKS,
  StreamFingerprint,
  sampleRanges,
} from "./fingerprint.ts";
import { tempDir } from "./test-helpers.ts";

const dir = tempDir();

async function ofFile(bytes: Buffer): Promise<Buffer> {
  const path = join(dir, "f.bin");
  await writeFile(path, bytes);
  const handle = await open(path, "r");
  try {
    return await fingerprintFile(handle, bytes.length);
  } finally {
    await handle.close();
  }
}

function ofStream(bytes: Buffer, cuts: number[]): Buffer {
  const fingerprint = new StreamFingerprint(bytes.length);
  for (const chunk of chunked(bytes, cuts)) fingerprint.push(chunk);
  return fingerprint.digest();
}

describe("fingerprint", () => {
  it("sampleRanges → the whole of a small file; 64 sorted in-bounds blocks, first and last, of a large one", () => {
    expect(sampleRanges(0)).toEqual([]);
    expect(sampleRanges(10)).toEqual([[0, 10]]);
    const size = 10_000_019;
    const ranges = sampleRanges(size);
    expect(ranges).toHaveLength(SAMPLE_BLOCKS);
    expect(ranges[0]).toEqual([0, SAMPLE_BLOCK_BYTES]);
    expect(ranges.at(-1)).toEqual([size - SAMPLE_BLOCK_BYTES, size]);
    for (let k = 1; k < ranges.length; k++) {
      expect((ranges[k] as [number, number])[0]).toBeGreaterThanOrEqual(
        (ranges[k - 1] as [number, number])[1],
      );
    }
  });

  it("stream in any chunks → the same fingerprint as positioned reads of the file", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 3 * SAMPLE_BLOCKS * SAMPLE_BLOCK_BYTES }),
        fc.array(fc.nat(), { maxLength: 8 }),
        fc.integer(),
        async (size, cuts, seed) => {
          const bytes = Buffer.alloc(size, seed & 0xff);
          if (size > 0) bytes[(seed >>> 0) % size] = 1;
          expect(ofStream(bytes, cuts)).toEqual(await ofFile(bytes));
        },
      ),
      { numRuns: 25 },
    );
  });

  it("one sampled byte changed → another fingerprint", async () => {
    const bytes = Buffer.alloc(SAMPLE_BLOCKS * SAMPLE_BLOCK_BYTES * 2, 0x61);
    const before = await ofFile(bytes);
    const [start] = sampleRanges(bytes.length)[40] as [number, number];
    bytes[start + 5] = 0x62;
    expect(await ofFile(bytes)).not.toEqual(before);
  });
});
