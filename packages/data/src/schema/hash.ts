/**
 * The bucket of a hashed categorical value: 32-bit FNV-1a over the value's UTF-8 bytes, modulo
 * the bucket count. Fixed and documented so that any program can reproduce the encoding from
 * schema.json; it never depends on the run, the process or the platform. Written here rather than
 * taken from a library: it is ten lines, and the encoding must not change with a dependency.
 */

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

function mix(hash: number, byte: number): number {
  return Math.imul(hash ^ byte, FNV_PRIME) >>> 0;
}

/** FNV-1a (32 bits) of `text` encoded as UTF-8 (a lone surrogate counts as U+FFFD, as TextEncoder does). */
export function fnv1a(text: string): number {
  let hash = FNV_OFFSET;
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i);
    if (c < 0x80) {
      hash = mix(hash, c);
      continue;
    }
    if (c >= 0xd800 && c <= 0xdfff) {
      const next = text.charCodeAt(i + 1);
      if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (next - 0xdc00);
        i++;
      } else {
        c = 0xfffd;
      }
    }
    if (c < 0x800) {
      hash = mix(mix(hash, 0xc0 | (c >> 6)), 0x80 | (c & 0x3f));
    } else if (c < 0x10000) {
      hash = mix(mix(mix(hash, 0xe0 | (c >> 12)), 0x80 | ((c >> 6) & 0x3f)), 0x80 | (c & 0x3f));
    } else {
      hash = mix(hash, 0xf0 | (c >> 18));
      hash = mix(mix(mix(hash, 0x80 | ((c >> 12) & 0x3f)), 0x80 | ((c >> 6) & 0x3f)), 0x80 | (c & 0x3f));
    }
  }
  return hash;
}

/** The bucket in `[0, buckets)` of a hashed categorical value. */
export function hashBucket(text: string, buckets: number): number {
  return fnv1a(text) % buckets;
}
