// Browser inputs as `ByteInput`s, on web-standard APIs only: a Blob or File (chunks and ranges by
// `Blob.slice`) and a URL (`fetch`; ranges by HTTP Range requests). `.gz` names decompress through
// `DecompressionStream`.
import { DataError } from "../errors.ts";
import { concatBytes } from "./bytes.ts";
import type { ByteInput, RangeReader } from "./input.ts";

/** What a browser source reads: a Blob/File, or a URL (absolute, or relative to the page). */
export type WebData = Blob | URL | string;

const isGzipName = (name: string): boolean => /\.gz$/i.test(name.replace(/[?#].*$/, ""));

/** The chunks of a byte stream, in the sizes the stream gives. */
async function* streamChunks(stream: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader();
  let done = false;
  try {
    for (;;) {
      const next = await reader.read();
      if (next.done) break;
      yield next.value;
    }
    done = true;
  } finally {
    if (!done) await reader.cancel().catch(() => {});
    reader.releaseLock();
  }
}

const gunzip = (stream: ReadableStream<Uint8Array>): ReadableStream<Uint8Array> =>
  stream.pipeThrough(new DecompressionStream("gzip") as unknown as TransformStream<Uint8Array, Uint8Array>);

const LF = 0x0a;

/**
 * `chunks` re-cut to end at line feeds: the bytes after a chunk's last line feed go out with the
 * next chunk's first line, in a small chunk of their own, so the record splitter never carries a
 * partial line into a copy of the next whole chunk (measured: 6% of a browser pass) and the line
 * encoder always has a line feed ahead. The chunks must not be reused by their producer.
 */
export async function* lineAligned(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  let tail: Uint8Array | null = null;
  for await (const chunk of chunks) {
    let from = 0;
    if (tail !== null) {
      const first = chunk.indexOf(LF);
      if (first === -1) {
        tail = concatBytes(tail, chunk);
        continue;
      }
      yield concatBytes(tail, chunk.subarray(0, first + 1));
      tail = null;
      from = first + 1;
    }
    const last = chunk.lastIndexOf(LF);
    if (last < from) {
      tail = chunk.subarray(from);
      continue;
    }
    yield chunk.subarray(from, last + 1);
    if (last + 1 < chunk.length) tail = chunk.subarray(last + 1);
  }
  if (tail !== null && tail.length > 0) yield tail;
}

/**
 * A Blob or File as an input, named `name` (default: the File's name, else "blob") in errors and
 * provenance. Random access reads `Blob.slice`s; a `.gz` name is decompressed and not indexable.
 */
export function blobInput(blob: Blob, name?: string): ByteInput {
  const label = name ?? (typeof (blob as File).name === "string" ? (blob as File).name : "blob");
  const gzip = isGzipName(label);
  return {
    name: label,
    gzip,
    // Blob.stream() reads ahead on its own, and faster than a chain of Blob.slice reads (measured in Chromium).
    chunks: () => {
      const stream = blob.stream() as ReadableStream<Uint8Array>;
      return lineAligned(streamChunks(gzip ? gunzip(stream) : stream));
    },
    openRanges: async (): Promise<RangeReader> => ({
      sizeBytes: blob.size,
      async read(into, offset, length, position) {
        const end = Math.min(blob.size, position + length);
        if (position >= end) return 0;
        const bytes = new Uint8Array(await blob.slice(position, end).arrayBuffer());
        into.set(bytes, offset);
        return bytes.length;
      },
      close: async () => {},
    }),
  };
}

function httpError(url: string, response: Response): DataError {
  return new DataError({
    code: response.status === 404 ? "file-not-found" : "io",
    file: url,
    reason: `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ""}`,
  });
}

/**
 * A URL as an input: streamed with `fetch` (never downloaded whole), `.gz` names decompressed
 * as they arrive. Random access sends HTTP Range requests; a server that does not answer them
 * with 206 fails with `DataError` (not-indexable), naming the alternative (a buffer shuffle).
 */
export function urlInput(url: string | URL, init: RequestInit = {}): ByteInput {
  const href = String(url);
  const gzip = isGzipName(
    new URL(href, (globalThis as { location?: { href: string } }).location?.href ?? "http://localhost/")
      .pathname,
  );
  let size: Promise<number> | null = null;
  const ranged = async (from: number, to: number): Promise<Response> => {
    const headers = new Headers(init.headers);
    headers.set("Range", `bytes=${from}-${to}`);
    return fetch(href, { ...init, headers });
  };
  const sizeOf = async (): Promise<number> => {
    const response = await ranged(0, 0);
    if (response.status !== 206) {
      await response.body?.cancel().catch(() => {});
      if (!response.ok) throw httpError(href, response);
      throw new DataError({
        code: "not-indexable",
        file: href,
        reason:
          `the server does not answer HTTP Range requests (status ${response.status} instead of 206), ` +
          'so rows cannot be read by position: serve the file from a server with Range support, or read it as a stream (shuffle "buffer")',
      });
    }
    await response.arrayBuffer();
    const total = /\/(\d+)\s*$/.exec(response.headers.get("Content-Range") ?? "");
    if (total === null) {
      throw new DataError({
        code: "io",
        file: href,
        reason: "the server's 206 answer has no total size in Content-Range",
      });
    }
    return Number(total[1]);
  };
  return {
    name: href,
    gzip,
    async *chunks() {
      let response: Response;
      try {
        response = await fetch(href, init);
      } catch (error) {
        throw new DataError({
          code: "io",
          file: href,
          reason: `cannot fetch: ${(error as Error).message}`,
          cause: error,
        });
      }
      if (!response.ok || response.body === null) throw httpError(href, response);
      const body = response.body as ReadableStream<Uint8Array>;
      yield* lineAligned(streamChunks(gzip ? gunzip(body) : body));
    },
    openRanges: async (): Promise<RangeReader> => {
      size ??= sizeOf();
      size.catch(() => {
        size = null;
      });
      const sizeBytes = await size;
      return {
        sizeBytes,
        async read(into, offset, length, position) {
          const end = Math.min(sizeBytes, position + length);
          if (position >= end) return 0;
          const response = await ranged(position, end - 1);
          if (response.status !== 206) {
            await response.body?.cancel().catch(() => {});
            throw response.ok
              ? new DataError({
                  code: "io",
                  file: href,
                  reason: `the server stopped answering Range requests (status ${response.status})`,
                })
              : httpError(href, response);
          }
          const bytes = new Uint8Array(await response.arrayBuffer());
          const count = Math.min(bytes.length, end - position);
          into.set(bytes.subarray(0, count), offset);
          return count;
        },
        close: async () => {},
      };
    },
  };
}

/** The input for `data`: a Blob/File or a URL. */
export function webInput(data: WebData): ByteInput {
  if (typeof Blob !== "undefined" && data instanceof Blob) return blobInput(data);
  if (typeof data === "string" || data instanceof URL) return urlInput(data);
  throw new DataError({
    code: "options",
    reason: `data must be a Blob, File, URL or URL string, got ${Object.prototype.toString.call(data)}`,
  });
}
