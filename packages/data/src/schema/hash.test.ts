import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fnv1a, hashBucket } from "./hash.ts";

/** FNV-1a over TextEncoder's bytes: the definition, byte by byte. */
function reference(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(text)) hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
  return hash;
}

describe("hashBucket", () => {
  it.each([
    ["", 0x811c9dc5],
    ["a", 0xe40c292c],
    ["foobar", 0xbf9cf968],
  ])("fnv1a(%j) → the published FNV-1a test vector", (text, expected) => {
    expect(fnv1a(text)).toBe(expected);
  });

  it("fixed values → fixed buckets, the same in every run and process", () => {
    expect(["ATL", "BOS", "SFO", "ORD", "Zürich", "東京"].map((v) => hashBucket(v, 1024))).toEqual(
      ["ATL", "BOS", "SFO", "ORD", "Zürich", "東京"].map((v) => reference(v) % 1024),
    );
    expect(hashBucket("ATL", 1024)).toBe(reference("ATL") % 1024);
    expect(hashBucket("ATL", 1024)).toBe(hashBucket("ATL", 1024));
  });

  it("any text (astral, lone surrogates) → FNV-1a of its UTF-8 bytes, bucket in [0, buckets)", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), fc.integer({ min: 1, max: 1 << 20 }), (text, buckets) => {
        expect(fnv1a(text)).toBe(reference(text));
        const bucket = hashBucket(text, buckets);
        expect(Number.isInteger(bucket) && bucket >= 0 && bucket < buckets).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });
});
