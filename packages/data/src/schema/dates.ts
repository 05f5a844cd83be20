/**
 * ISO dates and timestamps as model inputs. A date column holds `YYYY-MM-DD`, optionally
 * followed by `T` or a space, `HH:MM`, optional `:SS(.fff)` and an optional zone (`Z`, `+01:00`,
 * `-0500`). Values with a zone are read in UTC; values without one as written (wall-clock
 * time, never the machine's time zone), so the same text always gives the same inputs.
 * Epoch seconds are numbers and stay numeric columns.
 *
 * Parts (see `datePartsFor`): `year` is the fractional year (2024.5 is mid-2024), normalized
 * like a numeric column with its fitted statistics; with `basic`, month (1–12 → 0–1), day of
 * week (Monday 0 … Sunday 6 → 0–1) and hour of day (0–24 → 0–1, minutes included) are plain
 * scaled numbers; with `cyclical` each is a sin/cos pair on its circle, so December sits next to
 * January and 23:00 next to midnight. Hour parts exist only when the column has times.
 */
import type { DateFeatures, DatePart } from "./types.ts";

const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}(?::?\d{2})?)?)?$/;

/** The calendar fields of one value (UTC when it had a zone). */
export interface DateValue {
  year: number;
  /** 1–12. */
  month: number;
  /** Monday 0 … Sunday 6. */
  dayOfWeek: number;
  /** Hours since midnight, with minutes and seconds as fractions: [0, 24). */
  hour: number;
  /** Year plus the elapsed fraction of it. */
  fractionalYear: number;
  /** Whether the text had a time of day. */
  hasTime: boolean;
}

function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** The date `text` holds, or null when it is not an ISO date or timestamp (or names no real day/time). */
export function parseIsoDate(text: string): DateValue | null {
  const m = ISO.exec(text.trim());
  if (m === null) return null;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const hasTime = m[4] !== undefined;
  const hours = hasTime ? Number(m[4]) : 0;
  const minutes = hasTime ? Number(m[5]) : 0;
  const seconds = m[6] === undefined ? 0 : Number(m[6]) + (m[7] === undefined ? 0 : Number(`0.${m[7]}`));
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return null;
  if (hours > 23 || minutes > 59 || seconds >= 61) return null;
  let ms = Date.UTC(year, month - 1, day, hours, minutes, 0) + seconds * 1000;
  const zone = m[8];
  if (zone !== undefined && zone !== "Z") {
    const sign = zone.startsWith("-") ? -1 : 1;
    const digits = zone.slice(1).replace(":", "");
    const offset = Number(digits.slice(0, 2)) * 60 + (digits.length > 2 ? Number(digits.slice(2)) : 0);
    if (offset > 18 * 60) return null;
    ms -= sign * offset * 60_000;
  }
  const date = new Date(ms);
  const y = date.getUTCFullYear();
  const start = Date.UTC(y, 0, 1);
  const length = Date.UTC(y + 1, 0, 1) - start;
  return {
    year: y,
    month: date.getUTCMonth() + 1,
    dayOfWeek: (date.getUTCDay() + 6) % 7,
    hour: (ms - Date.UTC(y, date.getUTCMonth(), date.getUTCDate())) / 3_600_000,
    fractionalYear: y + (ms - start) / length,
    hasTime,
  };
}

/** The inputs a date column becomes; `hasTime`: some value of the column had a time of day. */
export function datePartsFor(mode: DateFeatures, hasTime: boolean): DatePart[] {
  if (mode === "none") return [];
  if (mode === "basic")
    return hasTime ? ["year", "month", "dayOfWeek", "hour"] : ["year", "month", "dayOfWeek"];
  const parts: DatePart[] = ["year", "month_sin", "month_cos", "dayOfWeek_sin", "dayOfWeek_cos"];
  return hasTime ? [...parts, "hour_sin", "hour_cos"] : parts;
}

const TAU = 2 * Math.PI;

/** One part's value; `year` is returned raw (fractional) for the caller to normalize. */
export function datePart(part: DatePart, d: DateValue): number {
  switch (part) {
    case "year":
      return d.fractionalYear;
    case "month":
      return (d.month - 1) / 11;
    case "dayOfWeek":
      return d.dayOfWeek / 6;
    case "hour":
      return d.hour / 24;
    case "month_sin":
      return Math.sin((TAU * (d.month - 1)) / 12);
    case "month_cos":
      return Math.cos((TAU * (d.month - 1)) / 12);
    case "dayOfWeek_sin":
      return Math.sin((TAU * d.dayOfWeek) / 7);
    case "dayOfWeek_cos":
      return Math.cos((TAU * d.dayOfWeek) / 7);
    case "hour_sin":
      return Math.sin((TAU * d.hour) / 24);
    case "hour_cos":
      return Math.cos((TAU * d.hour) / 24);
  }
}
