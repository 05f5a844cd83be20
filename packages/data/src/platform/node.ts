// Byte and hash helpers on Node: Buffer's native UTF-8 check and slices, node:crypto. Chosen by
// the `#platform` import's `node` condition (package.json `imports`); `web.ts` is the rest.
import { isUtf8 as nodeIsUtf8 } from "node:buffer";
import { createHash } from "node:crypto";

type Slice = (this: Uint8Array, start: number, end: number) => string;
/** Buffer's own decoders (what `buffer.toString(encoding, start, end)` calls), which take any Uint8Array. */
const slices = Buffer.prototype as unknown as { utf8Slice: Slice; latin1Slice: Slice };

/** Whether `bytes` are valid UTF-8 (no decoding). */
export const isUtf8 = (bytes: Uint8Array): boolean => nodeIsUtf8(bytes);

/** `bytes[start, end)` decoded as UTF-8, invalid sequences as U+FFFD. */
export const utf8Slice = (bytes: Uint8Array, start: number, end: number): string =>
  slices.utf8Slice.call(bytes, start, end);

/** `bytes[start, end)` as Latin-1 (one character per byte). */
export const latin1Slice = (bytes: Uint8Array, start: number, end: number): string =>
  slices.latin1Slice.call(bytes, start, end);

/** Hex SHA-256 of `text`'s UTF-8 bytes. */
export const sha256Hex = (text: string): string => createHash("sha256").update(text).digest("hex");

/** A view of the same memory whose `indexOf` is native memchr (a Buffer). */
export const searchable = (bytes: Uint8Array): Uint8Array =>
  Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

/** Uninitialised bytes (a Buffer from the pool's allocator). */
export const allocBytes = (length: number): Uint8Array => Buffer.allocUnsafe(length);
