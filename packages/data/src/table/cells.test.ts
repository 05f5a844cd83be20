import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseNumber } from "../schema/values.ts";
import { cellText } from "./cells.ts";

describe("cellText", () => {
  it("any double → text that parses back to the same float32 feature", () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, min: -3e38, max: 3e38 }), (x) => {
        expect(Math.fround(parseNumber(cellText(x)) as number)).toBe(Math.fround(x));
      }),
      { numRuns: 500 },
    );
  });

  it("missing, boolean, big, date, bytes and nested values → the text a CSV cell would hold", () => {
    expect(cellText(null)).toBe("");
    expect(cellText(undefined)).toBe("");
    expect(cellText(-0)).toBe("-0");
    expect(cellText(true)).toBe("true");
    expect(cellText(2n ** 63n)).toBe("9223372036854775808");
    expect(cellText(new Date(Date.UTC(2024, 0, 2)))).toBe("2024-01-02T00:00:00.000Z");
    expect(cellText(new TextEncoder().encode("ä"))).toBe("ä");
    expect(cellText({ a: [1, 2n] })).toBe('{"a":[1,"2"]}');
  });
});
