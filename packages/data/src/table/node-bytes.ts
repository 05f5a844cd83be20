import { open } from "node:fs/promises";
import type { AsyncBuffer } from "hyparquet";
import { DataError } from "../errors.ts";

/**
 * A file on disk as a random-access byte reader (the `AsyncBuffer` hyparquet reads): one open
 * handle, positioned reads. The only Node-specific piece of the columnar readers; a browser
 * passes a `File`-backed reader instead. Call `close` when done.
 */
export async function fileBytes(file: string): Promise<AsyncBuffer & { close(): Promise<void> }> {
  let handle: Awaited<ReturnType<typeof open>>;
  let size: number;
  try {
    handle = await open(file, "r");
    size = (await handle.stat()).size;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new DataError({
      code: code === "ENOENT" ? "file-not-found" : "io",
      file,
      reason: code === "ENOENT" ? "no such file" : `cannot read: ${(error as Error).message}`,
      cause: error,
    });
  }
  return {
    byteLength: size,
    async slice(start: number, end?: number): Promise<ArrayBuffer> {
      const to = Math.min(end ?? size, size);
      const bytes = new Uint8Array(Math.max(0, to - start));
      let done = 0;
      while (done < bytes.length) {
        const { bytesRead } = await handle.read(bytes, done, bytes.length - done, start + done);
        if (bytesRead === 0) {
          throw new DataError({
            code: "io",
            file,
            reason: `the file ended at byte ${start + done}: it changed while read`,
          });
        }
        done += bytesRead;
      }
      return bytes.buffer;
    },
    close: () => handle.close(),
  };
}
