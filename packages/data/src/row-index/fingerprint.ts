import { createHash, type Hash } from "node:crypto";
import type { FileHandle } from "node:fs/promises";

/** Bytes per sampled block. */
export const SAMPLE_BLOCK_BYTES = 4096;
/** Blocks sampled: the first, the last and evenly spaced ones between (256 KiB read in all). */
export const SAMPLE_BLOCKS = 64;
/** Bytes of a fingerprint (SHA-256). */
export const FINGERPRINT_BYTES = 32;

/**
 * The byte ranges `[start, end)` a fingerprint hashes, in order: the whole file when it is at most
 * SAMPLE_BLOCKS blocks long, else the first and last block and evenly spaced ones between. So
 * checking an index against its file reads 256 KiB whatever the file size.
 */
export function sampleRanges(sizeBytes: number): [number, number][] {
  if (sizeBytes <= SAMPLE_BLOCKS * SAMPLE_BLOCK_BYTES) return sizeBytes === 0 ? [] : [[0, sizeBytes]];
  const last = sizeBytes - SAMPLE_BLOCK_BYTES;
  return Array.from({ length: SAMPLE_BLOCKS }, (_, k) => {
    const start = Math.floor((last * k) / (SAMPLE_BLOCKS - 1));
    return [start, start + SAMPLE_BLOCK_BYTES] as [number, number];
  });
}

function hashOf(sizeBytes: number): Hash {
  const size = Buffer.alloc(8);
  size.writeDoubleLE(sizeBytes);
  return createHash("sha256").update(size);
}

/**
 * A fingerprint of a file's content taken from the chunks of one sequential read (the indexing
 * pass), so it describes exactly the bytes that were indexed: `push` every chunk in order.
 */
export class StreamFingerprint {
  private readonly hash: Hash;
  private readonly ranges: [number, number][];
  private next = 0;
  private offset = 0;

  constructor(sizeBytes: number) {
    this.hash = hashOf(sizeBytes);
    this.ranges = sampleRanges(sizeBytes);
  }

  push(chunk: Uint8Array): void {
    const end = this.offset + chunk.length;
    while (this.next < this.ranges.length) {
      const [from, to] = this.ranges[this.next] as [number, number];
      if (from >= end) break;
      const a = Math.max(from, this.offset);
      const b = Math.min(to, end);
      if (b > a) this.hash.update(chunk.subarray(a - this.offset, b - this.offset));
      if (to > end) break;
      this.next++;
    }
    this.offset = end;
  }

  digest(): Buffer {
    return this.hash.digest();
  }
}

/** The same fingerprint as `StreamFingerprint`, read with positioned reads (what opening a cached index costs). */
export async function fingerprintFile(handle: FileHandle, sizeBytes: number): Promise<Buffer> {
  const hash = hashOf(sizeBytes);
  const buffer = Buffer.allocUnsafe(Math.min(sizeBytes, SAMPLE_BLOCKS * SAMPLE_BLOCK_BYTES));
  for (const [from, to] of sampleRanges(sizeBytes)) {
    let done = 0;
    while (done < to - from) {
      const { bytesRead } = await handle.read(buffer, done, to - from - done, from + done);
      if (bytesRead === 0) break; // shorter than it was: the hash then differs
      done += bytesRead;
    }
    hash.update(buffer.subarray(0, done));
  }
  return hash.digest();
}
