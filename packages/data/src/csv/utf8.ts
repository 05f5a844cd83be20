import { isUtf8 } from "#platform";
import { concatBytes } from "../bytes/bytes.ts";

/** Bytes a UTF-8 sequence needs, from its lead byte; 0 for a byte that cannot start one. */
function sequenceLength(lead: number): number {
  if (lead < 0x80) return 1;
  if (lead >= 0xc2 && lead <= 0xdf) return 2;
  if (lead >= 0xe0 && lead <= 0xef) return 3;
  if (lead >= 0xf0 && lead <= 0xf4) return 4;
  return 0;
}

/** Allowed range of the byte after a lead byte (excludes overlongs, surrogates, > U+10FFFF). */
function secondByteOk(lead: number, byte: number): boolean {
  if (lead === 0xe0) return byte >= 0xa0 && byte <= 0xbf;
  if (lead === 0xed) return byte >= 0x80 && byte <= 0x9f;
  if (lead === 0xf0) return byte >= 0x90 && byte <= 0xbf;
  if (lead === 0xf4) return byte >= 0x80 && byte <= 0x8f;
  return byte >= 0x80 && byte <= 0xbf;
}

/**
 * Offsets in `bytes` where an invalid UTF-8 sequence starts. Only called on the rare chunks
 * that `isUtf8` rejects, so a plain byte loop is fast enough here.
 */
export function invalidUtf8Offsets(bytes: Uint8Array): number[] {
  const offsets: number[] = [];
  let i = 0;
  while (i < bytes.length) {
    const lead = bytes[i] as number;
    const length = sequenceLength(lead);
    if (length === 1) {
      i++;
      continue;
    }
    let ok = length > 0 && i + length <= bytes.length && secondByteOk(lead, bytes[i + 1] as number);
    for (let k = 2; ok && k < length; k++) {
      const byte = bytes[i + k] as number;
      ok = byte >= 0x80 && byte <= 0xbf;
    }
    if (ok) {
      i += length;
    } else {
      offsets.push(i);
      i++;
    }
  }
  return offsets;
}

/** Where the incomplete sequence at the end of `bytes` starts, or `bytes.length` when it ends cleanly. */
function incompleteTail(bytes: Uint8Array): number {
  for (let back = 1; back <= Math.min(3, bytes.length); back++) {
    const byte = bytes[bytes.length - back] as number;
    if ((byte & 0xc0) === 0x80) continue; // continuation byte: keep looking for the lead
    const length = sequenceLength(byte);
    return length > back ? bytes.length - back : bytes.length;
  }
  return bytes.length;
}

/**
 * Watches a byte stream chunk by chunk and remembers the absolute offsets of invalid UTF-8,
 * so the reader can tell exactly which records hold them. The check itself is native
 * `isUtf8` on Node (GB/s), a fatal TextDecoder elsewhere; csv-parse would otherwise decode bad bytes to U+FFFD without a word.
 */
export class Utf8Tracker {
  private carry: Uint8Array | null = null;
  /** Absolute offset of the first byte not yet checked (carry included). */
  private checked = 0;
  private readonly invalid: number[] = [];
  private head = 0;

  /** Checks the next chunk of the stream; a sequence split across chunks is completed by the next one. */
  push(chunk: Uint8Array): void {
    const bytes = this.carry === null ? chunk : concatBytes(this.carry, chunk);
    const cut = incompleteTail(bytes);
    const body = bytes.subarray(0, cut);
    if (!isUtf8(body)) {
      for (const offset of invalidUtf8Offsets(body)) this.invalid.push(this.checked + offset);
    }
    this.checked += cut;
    // A copy: the stream may reuse the chunk's memory.
    this.carry = cut < bytes.length ? Uint8Array.prototype.slice.call(bytes, cut) : null;
  }

  /** The stream ended: a sequence still open is truncated, hence invalid. */
  end(): void {
    if (this.carry !== null) this.invalid.push(this.checked);
    this.carry = null;
  }

  /**
   * Whether bytes `[start, end)` hold invalid UTF-8. Ranges must be asked in increasing order
   * (records come in file order): offsets before `end` are forgotten, keeping memory bounded.
   */
  hasInvalid(start: number, end: number): boolean {
    let found = false;
    while (this.head < this.invalid.length && (this.invalid[this.head] as number) < end) {
      if ((this.invalid[this.head] as number) >= start) found = true;
      this.head++;
    }
    if (this.head > 1024 && this.head * 2 > this.invalid.length) {
      this.invalid.splice(0, this.head);
      this.head = 0;
    }
    return found;
  }
}
