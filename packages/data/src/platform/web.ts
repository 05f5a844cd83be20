// Byte and hash helpers on web-standard APIs only (TextDecoder, @noble/hashes): what every
// platform without the `node` condition gets for the `#platform` import; see `node.ts`.
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex, utf8ToBytes } from "@noble/hashes/utils.js";

const fatal = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const lenient = new TextDecoder("utf-8", { ignoreBOM: true });

/** Whether `bytes` are valid UTF-8. */
export function isUtf8(bytes: Uint8Array): boolean {
  try {
    fatal.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/** `bytes[start, end)` decoded as UTF-8, invalid sequences as U+FFFD. */
export const utf8Slice = (bytes: Uint8Array, start: number, end: number): string =>
  lenient.decode(bytes.subarray(start, end));

/** `bytes[start, end)` as Latin-1 (one character per byte; TextDecoder's "latin1" is windows-1252). */
export function latin1Slice(bytes: Uint8Array, start: number, end: number): string {
  let text = "";
  for (let at = start; at < end; at += 8192) {
    text += String.fromCharCode.apply(
      null,
      bytes.subarray(at, Math.min(end, at + 8192)) as unknown as number[],
    );
  }
  return text;
}

/** Hex SHA-256 of `text`'s UTF-8 bytes. */
export const sha256Hex = (text: string): string => bytesToHex(sha256(utf8ToBytes(text)));

/** The same bytes (a typed array's `indexOf` is native already). */
export const searchable = (bytes: Uint8Array): Uint8Array => bytes;

/** Zeroed bytes. */
export const allocBytes = (length: number): Uint8Array => new Uint8Array(length);
