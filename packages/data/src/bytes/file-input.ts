// A file path as a `ByteInput` (Node only): the CSV readers' chunks and the row reader's
// positioned reads. Browser inputs (Blob, URL) are in web-input.ts.
import { open } from "node:fs/promises";
import { bytesOf } from "../csv/records.ts";
import { DataError } from "../errors.ts";
import type { ByteInput, RangeReader } from "./input.ts";

const LF = 0x0a;

/**
 * The bytes of a file in chunks. Plain files are read into two alternating buffers, the next
 * read in flight while the caller parses the current chunk (no allocation per chunk, no stream
 * machinery); a chunk is valid until the next is requested. Each chunk ends at its last line
 * feed: the unfinished line is copied to the front of the next buffer and the next read lands
 * after it, so the splitter has nothing to carry (it would otherwise copy every chunk to join
 * its carry). A chunk without a line feed goes whole, and the splitter carries it. Gzip files go
 * through the reader's stream (`bytesOf`).
 */
async function* fileBytes(file: string, chunkBytes: number): AsyncGenerator<Buffer> {
  if (/\.gz$/i.test(file)) {
    const input = bytesOf(file, chunkBytes);
    try {
      yield* input as AsyncIterable<Buffer>;
    } finally {
      input.destroy();
    }
    return;
  }
  const handle = await open(file, "r");
  // Room for a carried line (shorter than one read: it follows the read's last line feed) and a read.
  const buffers = [Buffer.allocUnsafe(2 * chunkBytes), Buffer.allocUnsafe(2 * chunkBytes)];
  let pending = handle.read(buffers[0] as Buffer, 0, chunkBytes, null);
  try {
    for (let i = 0, carried = 0; ; i ^= 1) {
      const { bytesRead } = await pending;
      const buffer = buffers[i] as Buffer;
      const length = carried + bytesRead;
      if (bytesRead === 0) {
        if (length > 0) yield buffer.subarray(0, length);
        break;
      }
      const lastLineFeed = buffer.lastIndexOf(LF, length - 1);
      const cut = lastLineFeed < carried ? length : lastLineFeed + 1;
      const next = buffers[i ^ 1] as Buffer;
      carried = buffer.copy(next, 0, cut, length);
      pending = handle.read(next, carried, chunkBytes, null);
      yield buffer.subarray(0, cut);
    }
  } finally {
    await pending.catch(() => {});
    await handle.close();
  }
}

/** The file at `path`: `.gz` files decompress as they are read and cannot be opened for ranges. */
export function fileInput(path: string): ByteInput {
  const gzip = /\.gz$/i.test(path);
  return {
    name: path,
    gzip,
    chunks: (chunkBytes) => fileBytes(path, chunkBytes),
    openRanges: async (): Promise<RangeReader> => {
      const handle = await openFile(path);
      const { size } = await handle.stat();
      return {
        sizeBytes: size,
        read: async (into, offset, length, position) =>
          (await handle.read(into, offset, length, position)).bytesRead,
        close: () => handle.close(),
      };
    },
  };
}

async function openFile(file: string) {
  try {
    return await open(file, "r");
  } catch (error) {
    throw new DataError({
      code: "file-not-found",
      file,
      reason: "cannot open: the file is gone",
      cause: error,
    });
  }
}
