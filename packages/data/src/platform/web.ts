// Byte and hash helpers on web-standard APIs only (TextDecoder, @noble/hashes): what every
// platform without the `node` condition gets for the `#platform` import; see `node.ts`.
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex, utf8ToBytes } from "@noble/hashes/utils.js";

const fatal = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const lenient = new TextDecoder("utf-8", { ignoreBOM: true });

/**
 * Whether `bytes` are all ASCII, eight bytes at a time. Hand-written: Chromium's fatal TextDecoder
 * builds the whole string to validate (measured: ~60 MB/s on 1 MiB chunks); this loop is ~10x that.
 */
function isAscii(bytes: Uint8Array): boolean {
  let i = 0;
  const n = bytes.length;
  for (; i < n && (bytes.byteOffset + i) % 4 !== 0; i++) if ((bytes[i] as number) & 0x80) return false;
  if (i === n) return true;
  const words = new Uint32Array(bytes.buffer, bytes.byteOffset + i, (n - i) >>> 2);
  for (let w = 0; w + 1 < words.length; w += 2) {
    if (((words[w] as number) | (words[w + 1] as number)) & 0x80808080) return false;
  }
  if (words.length % 2 === 1 && (words[words.length - 1] as number) & 0x80808080) return false;
  for (i += words.length * 4; i < n; i++) if ((bytes[i] as number) & 0x80) return false;
  return true;
}

/** Whether `bytes` are valid UTF-8. */
export function isUtf8(bytes: Uint8Array): boolean {
  if (isAscii(bytes)) return true;
  try {
    fatal.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/**
 * `bytes[start, end)` decoded as UTF-8, invalid sequences as U+FFFD. Short ASCII ranges (a field,
 * a short line) are built with `String.fromCharCode`: each TextDecoder call costs microseconds.
 */
export function utf8Slice(bytes: Uint8Array, start: number, end: number): string {
  if (end - start <= 256) {
    let ascii = true;
    for (let i = start; i < end; i++) {
      if ((bytes[i] as number) & 0x80) {
        ascii = false;
        break;
      }
    }
    if (ascii) return latin1Slice(bytes, start, end);
  }
  return lenient.decode(bytes.subarray(start, end));
}

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
