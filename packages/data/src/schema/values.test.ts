import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { expectedNumber, isMissing, parseNumber } from "./values.ts";

describe("parseNumber", () => {
  it.each([
    ["42", 42],
    ["-1.5", -1.5],
    [".5", 0.5],
    ["5.", 5],
    ["1e-3", 0.001],
    ["+7", 7],
    ["  3.25 ", 3.25],
    ["0", 0],
    ["-0", -0],
    ["3e38", 3e38],
  ])("%j → %d", (text, value) => {
    expect(parseNumber(text)).toBe(value);
  });

  it.each([
    "abc",
    "NaN",
    "nan",
    "Infinity",
    "-Infinity",
    "inf",
    "1e999",
    "4e38",
    "0x1f",
    "0b11",
    "0o17",
    "1,5",
    "1 2",
    "--1",
    "",
    "  ",
  ])("%j → NaN (not a finite decimal float32)", (text) => {
    expect(parseNumber(text)).toBeNaN();
  });
});

describe("parseNumber fast path", () => {
  it("plain decimal text → bit-for-bit the value Number() reads", () => {
    const digits = fc.stringMatching(/^[0-9]{0,20}$/);
    const decimal = fc
      .tuple(fc.constantFrom("", "-", "+"), digits, fc.constantFrom("", "."), digits)
      .map(([sign, whole, dot, fraction]) => `${sign}${whole}${dot}${fraction}`)
      .filter((text) => /[0-9]/.test(text));
    fc.assert(
      fc.property(decimal, (text) => {
        expect(Object.is(parseNumber(text), Number(text))).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});

describe("isMissing", () => {
  it.each([
    ["", true],
    ["   ", true],
    ["\t", true],
    ["0", false],
    [" x ", false],
  ])("%j → %s", (text, missing) => {
    expect(isMissing(text)).toBe(missing);
  });
});

describe("expectedNumber", () => {
  it.each([
    ["abc", "expected a number"],
    ["NaN", "expected a finite number within float32 range"],
    ["Infinity", "expected a finite number within float32 range"],
    ["1e999", "expected a finite number within float32 range"],
    ["4e38", "expected a finite number within float32 range"],
    ["0x10", "expected a decimal number"],
  ])("%j → %s", (text, expected) => {
    expect(expectedNumber(text)).toBe(expected);
  });
});
