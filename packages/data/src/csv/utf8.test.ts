import { isUtf8 } from "node:buffer";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { chunked } from "./csv-arbitraries.test-helpers.ts";
import { invalidUtf8Offsets, Utf8Tracker } from "./utf8.ts";

function trackAll(chunks: readonly Uint8Array[]): Utf8Tracker {
  const tracker = new Utf8Tracker();
  for (const chunk of chunks) tracker.push(chunk);
  tracker.end();
  return tracker;
}

/** Byte strings that mix valid multi-byte text with stray bytes. */
const mixedBytes = fc
  .array(
    fc.oneof(
      fc.constantFrom("a", "\n", "é", "€", "𝄞").map((s) => [...Buffer.from(s)]),
      fc.integer({ min: 0x80, max: 0xff }).map((b) => [b]),
    ),
    { maxLength: 30 },
  )
  .map((parts) => Uint8Array.from(parts.flat()));

describe("invalidUtf8Offsets", () => {
  it.each([
    ["ASCII", [0x61, 0x62], []],
    ["two-byte é", [0xc3, 0xa9], []],
    ["lone continuation byte", [0x61, 0x80], [1]],
    ["Latin-1 é", [0x63, 0x61, 0x66, 0xe9], [3]],
    ["overlong slash", [0xc0, 0xaf], [0, 1]],
    ["surrogate half", [0xed, 0xa0, 0x80], [0, 1, 2]],
    ["above U+10FFFF", [0xf4, 0x90, 0x80, 0x80], [0, 1, 2, 3]],
    ["truncated 3-byte sequence", [0xe2, 0x82], [0, 1]],
  ])("%s → invalid at %j", (_name, bytes, expected) => {
    expect(invalidUtf8Offsets(Uint8Array.from(bytes as number[]))).toEqual(expected);
  });

  it("random bytes → no offsets exactly when Node's isUtf8 accepts them", () => {
    fc.assert(
      fc.property(mixedBytes, (bytes) => {
        expect(invalidUtf8Offsets(bytes).length === 0).toBe(isUtf8(bytes));
      }),
      { numRuns: 300 },
    );
  });
});

describe("Utf8Tracker", () => {
  it("multi-byte characters split across chunks → valid", () => {
    const bytes = Buffer.from("a€b𝄞c");
    const tracker = trackAll(chunked(bytes, [2, 3, 6, 8]));
    expect(tracker.hasInvalid(0, bytes.length)).toBe(false);
  });

  it("stream ending inside a sequence → invalid at its start", () => {
    const tracker = trackAll([Uint8Array.of(0x61, 0xe2), Uint8Array.of(0x82)]);
    expect(tracker.hasInvalid(0, 1)).toBe(false);
    expect(tracker.hasInvalid(1, 3)).toBe(true);
  });

  it("any chunking → the ranges holding invalid bytes are the same as for the whole input", () => {
    fc.assert(
      fc.property(mixedBytes, fc.array(fc.nat(), { maxLength: 5 }), (bytes, cuts) => {
        const whole = trackAll([bytes]);
        const split = trackAll(chunked(bytes, cuts));
        for (let start = 0; start < bytes.length; start += 3) {
          const end = Math.min(bytes.length, start + 3);
          expect(split.hasInvalid(start, end)).toBe(whole.hasInvalid(start, end));
        }
      }),
      { numRuns: 300 },
    );
  });

  it("whole input asked as one range → invalid exactly when isUtf8 rejects it", () => {
    fc.assert(
      fc.property(mixedBytes, fc.array(fc.nat(), { maxLength: 5 }), (bytes, cuts) => {
        expect(trackAll(chunked(bytes, cuts)).hasInvalid(0, bytes.length + 1)).toBe(!isUtf8(bytes));
      }),
      { numRuns: 300 },
    );
  });
});
