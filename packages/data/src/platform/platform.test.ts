import fc from "fast-check";
import { describe, expect, it } from "vitest";
import * as node from "./node.ts";
import * as web from "./web.ts";

// Byte soup with valid multi-byte sequences, stray continuation bytes, truncated leads and ASCII.
const bytes = fc
  .array(
    fc.oneof(
      fc.integer({ min: 0x20, max: 0x7e }).map((b) => [b]),
      fc.constantFrom(
        [0xc3, 0xa9],
        [0xe2, 0x82, 0xac],
        [0xf0, 0x9f, 0x98, 0x80],
        [0x80],
        [0xc3],
        [0xed, 0xa0, 0x80],
        [0xff],
      ),
    ),
    { maxLength: 80 },
  )
  .map((parts) => Uint8Array.from(parts.flat()));

describe("web platform helpers = Node's", () => {
  it("random bytes and ranges → the same UTF-8 verdict, UTF-8 and Latin-1 text", () => {
    fc.assert(
      fc.property(bytes, fc.nat(), fc.nat(), fc.nat(7), (b, x, y, shift) => {
        // An offset view, so the word-at-a-time ASCII check meets unaligned starts.
        const view = new Uint8Array(b.length + shift);
        view.set(b, shift);
        const at = view.subarray(shift);
        const start = b.length === 0 ? 0 : x % (b.length + 1);
        const end = start + (b.length === 0 ? 0 : y % (b.length + 1 - start));
        expect(web.isUtf8(at)).toBe(node.isUtf8(at));
        expect(web.utf8Slice(at, start, end)).toBe(node.utf8Slice(at, start, end));
        expect(web.latin1Slice(at, start, end)).toBe(node.latin1Slice(at, start, end));
      }),
      { numRuns: 2000 },
    );
  });

  it("a long ASCII run with one high byte at any place → not valid UTF-8 on both", () => {
    const long = new Uint8Array(1000).fill(0x61);
    expect(web.isUtf8(long)).toBe(true);
    for (const at of [0, 3, 4, 7, 8, 500, 996, 999]) {
      const bad = long.slice();
      bad[at] = 0x80;
      expect([web.isUtf8(bad), node.isUtf8(bad)]).toEqual([false, false]);
    }
  });

  it("any text → the same SHA-256 hex (plan hashes agree across platforms)", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", maxLength: 200 }), (text) => {
        expect(web.sha256Hex(text)).toBe(node.sha256Hex(text));
      }),
      { numRuns: 300 },
    );
  });
});
