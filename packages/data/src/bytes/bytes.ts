// Platform-neutral byte helpers for the CSV machinery (Uint8Array only; no Buffer).

/** `a` then `b` in new memory. */
export function concatBytes(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

/** A copy of `bytes` in new memory (a Node Buffer's `slice` would share it). */
export const copyBytes = (bytes: Uint8Array): Uint8Array => Uint8Array.prototype.slice.call(bytes);

/** First index ≥ `from` where `needle` occurs in `haystack`, or -1. */
export function indexOfBytes(haystack: Uint8Array, needle: Uint8Array, from: number): number {
  const first = needle[0] as number;
  if (needle.length === 1) return haystack.indexOf(first, from);
  const last = haystack.length - needle.length;
  for (
    let at = haystack.indexOf(first, from);
    at !== -1 && at <= last;
    at = haystack.indexOf(first, at + 1)
  ) {
    let k = 1;
    while (k < needle.length && haystack[at + k] === needle[k]) k++;
    if (k === needle.length) return at;
  }
  return -1;
}

const encoder = new TextEncoder();

/** `text` as UTF-8 bytes. */
export const utf8Bytes = (text: string): Uint8Array => encoder.encode(text);
