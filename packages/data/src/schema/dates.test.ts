import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { datePart, datePartsFor, parseIsoDate } from "./dates.ts";
import { decideKind, KindTally } from "./kinds.ts";

const kindOf = (values: readonly string[]) =>
  decideKind(
    KindTally.of(
      1,
      values.map((v) => [v]),
    ).columns[0] as never,
  );

describe("parseIsoDate", () => {
  it.each([
    ["2024-03-05", { year: 2024, month: 3, dayOfWeek: 1, hour: 0, hasTime: false }],
    ["2024-03-05T14:30:00Z", { year: 2024, month: 3, dayOfWeek: 1, hour: 14.5, hasTime: true }],
    ["2024-03-05 14:30", { year: 2024, month: 3, dayOfWeek: 1, hour: 14.5, hasTime: true }],
    ["2024-03-05T01:15:00+02:00", { year: 2024, month: 3, dayOfWeek: 0, hour: 23.25, hasTime: true }],
    ["2024-12-31T23:00:00-0130", { year: 2025, month: 1, dayOfWeek: 2, hour: 0.5, hasTime: true }],
    ["2024-02-29T00:00:00.250Z", { year: 2024, month: 2, dayOfWeek: 3, hasTime: true }],
  ])("%s → its calendar fields (UTC when zoned, wall clock otherwise)", (text, fields) => {
    expect(parseIsoDate(text)).toMatchObject(fields);
  });

  it.each([
    "2023-02-29",
    "2024-13-01",
    "2024-00-10",
    "2024-03-05T24:00",
    "2024-03-05T12:60",
    "2024-3-5",
    "1700000000",
    "5/3/2024",
    "14:30",
    "2024-03-05T14",
    "yesterday",
  ])("%s → not an ISO date (null)", (text) => {
    expect(parseIsoDate(text)).toBeNull();
  });

  it("any valid date-time → fractional year within its year, month and hour in range", () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date("1900-01-01"), max: new Date("2100-01-01"), noInvalidDate: true }),
        (d) => {
          const parsed = parseIsoDate(d.toISOString()) as NonNullable<ReturnType<typeof parseIsoDate>>;
          expect(parsed.year).toBe(d.getUTCFullYear());
          expect(parsed.month).toBe(d.getUTCMonth() + 1);
          expect(parsed.dayOfWeek).toBe((d.getUTCDay() + 6) % 7);
          expect(Math.floor(parsed.fractionalYear)).toBe(parsed.year);
          expect(parsed.hour).toBeGreaterThanOrEqual(0);
          expect(parsed.hour).toBeLessThan(24);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("date kind", () => {
  it.each([
    ["ISO dates", ["2024-03-05", "2024-03-06", "2024-04-01"], "date"],
    [
      "ISO timestamps, mixed forms",
      ["2024-03-05T14:30:00Z", "2024-03-05 09:00", "2024-03-06T01:00+01:00"],
      "date",
    ],
    ["epoch seconds", ["1709650000", "1709653600", "1709657200", "1709650000"], "numeric"],
    ["US dates", ["3/5/2024", "3/6/2024"], "ignored"],
    ["random strings", ["ab7f", "zz9", "q1w2", "x"], "ignored"],
    ["ISO dates and one word", ["2024-03-05", "2024-03-05", "soon", "soon"], "categorical"],
  ])("%s → %s", (_name, values, kind) => {
    expect(kindOf(values).kind).toBe(kind);
  });

  it("arbitrary strings without a date shape → never the date kind", () => {
    fc.assert(
      fc.property(fc.array(fc.string({ minLength: 1 }), { minLength: 1, maxLength: 20 }), (values) => {
        fc.pre(values.some((v) => parseIsoDate(v) === null));
        expect(kindOf(values).kind).not.toBe("date");
      }),
      { numRuns: 300 },
    );
  });
});

describe("date parts", () => {
  it("none, basic, cyclical with and without times → the documented inputs", () => {
    expect(datePartsFor("none", true)).toEqual([]);
    expect(datePartsFor("basic", false)).toEqual(["year", "month", "dayOfWeek"]);
    expect(datePartsFor("basic", true)).toEqual(["year", "month", "dayOfWeek", "hour"]);
    expect(datePartsFor("cyclical", true)).toEqual([
      "year",
      "month_sin",
      "month_cos",
      "dayOfWeek_sin",
      "dayOfWeek_cos",
      "hour_sin",
      "hour_cos",
    ]);
  });

  it("cyclical parts → points on the unit circle; December next to January, 23:30 next to 00:30", () => {
    const dec = parseIsoDate("2024-12-15T23:30:00Z") as NonNullable<ReturnType<typeof parseIsoDate>>;
    const jan = parseIsoDate("2025-01-15T00:30:00Z") as NonNullable<ReturnType<typeof parseIsoDate>>;
    const jul = parseIsoDate("2024-07-15T12:00:00Z") as NonNullable<ReturnType<typeof parseIsoDate>>;
    const point = (d: typeof dec, name: "month" | "hour") =>
      [datePart(`${name}_sin`, d), datePart(`${name}_cos`, d)] as const;
    const distance = (a: readonly [number, number], b: readonly [number, number]) =>
      Math.hypot(a[0] - b[0], a[1] - b[1]);
    for (const name of ["month", "hour"] as const) {
      const [s, c] = point(dec, name);
      expect(s * s + c * c).toBeCloseTo(1, 12);
      expect(distance(point(dec, name), point(jan, name))).toBeLessThan(
        distance(point(dec, name), point(jul, name)),
      );
    }
    expect(datePart("month", dec)).toBe(1);
    expect(datePart("month", jan)).toBe(0);
  });
});
