/**
 * What every column holds, tallied over every row read (not a prefix), and the one function that
 * turns a tally into a column kind. The tallies are small and fixed per column (a handful of
 * counters and at most `maxDistinct` remembered values), so they ride along the statistics pass
 * whatever the file size.
 *
 * "A few" bad values, precisely: a column is numeric when at least 95% of its present
 * (non-blank) values are numbers as `parseNumber` reads them (`NUMERIC_SHARE`), i.e. at most one
 * value in 20 is something else (`abc`, `n/a`, `NaN`, `Infinity`, `1e400`, `0x10`, `1_000`, a NUL
 * byte, …). Those values do not change the kind: their rows are bad records, handled by the
 * bad-record policy. The rule depends on counts only, so it gives the same kinds for the same rows
 * whatever their order or the chunk sizes.
 */
import { parseIsoDate } from "./dates.ts";
import { isMissing, parseNumber } from "./values.ts";

/** Share of a column's present values that must be numbers for the column to be numeric. */
export const NUMERIC_SHARE = 0.95;

/**
 * Distinct values a column's tally and a vocabulary count keep (bounded memory). A categorical
 * column with more distinct values than this is hashed; a column with more is not inferred categorical.
 */
export const DISTINCT_LIMIT = 10_000;

/** Most classes an integer label is inferred to have; beyond it the label is a regression target. */
export const MAX_INFERRED_CLASSES = 20;

/** Consecutive integers this long are a row counter, not a measurement (fewer prove nothing). */
const ROW_COUNTER_MIN = 20;

const DATE =
  /^(\d{4}-\d{1,2}-\d{1,2}([T ]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?|\d{1,2}[/.]\d{1,2}[/.]\d{2,4}|\d{1,2}:\d{2}(:\d{2})?)$/;

/** The values of one column so far. */
export class ColumnTally {
  /** Non-blank values. */
  present = 0;
  /** Values that are numbers. */
  numbers = 0;
  /** Numbers that are integers ≥ 0. */
  nonNegativeIntegers = 0;
  /** Values that are not numbers but dates or times (any common form). */
  dates = 0;
  /** Values that are ISO dates or timestamps (`parseIsoDate`). */
  isoDates = 0;
  /** ISO values with a time of day. */
  withTime = 0;
  /** Every value so far a number, each one more than the last. */
  consecutive = true;
  /** The first value that is not a number, for notes and messages. */
  firstOther: string | null = null;
  /** Distinct values (texts), kept up to `maxDistinct`; more means "many". */
  readonly distinct = new Set<string>();
  /** Distinct numbers, kept up to one more than `MAX_INFERRED_CLASSES`. */
  readonly distinctNumbers = new Set<number>();
  private previous = Number.NaN;

  constructor(private readonly maxDistinct: number) {}

  /** Counts one value; returns it as a number (NaN when missing or not a number). */
  add(text: string): number {
    if (isMissing(text)) return Number.NaN;
    this.present++;
    if (this.distinct.size < this.maxDistinct) this.distinct.add(text);
    const value = parseNumber(text);
    if (Number.isNaN(value)) {
      this.consecutive = false;
      this.firstOther ??= text;
      if (DATE.test(text.trim())) {
        this.dates++;
        const date = parseIsoDate(text);
        if (date !== null) {
          this.isoDates++;
          if (date.hasTime) this.withTime++;
        }
      }
      return value;
    }
    this.numbers++;
    if (Number.isInteger(value) && value >= 0) this.nonNegativeIntegers++;
    if (this.distinctNumbers.size <= MAX_INFERRED_CLASSES) this.distinctNumbers.add(value);
    if (this.consecutive && this.numbers > 1 && value !== this.previous + 1) this.consecutive = false;
    this.previous = value;
    return value;
  }

  /** Present values that are not numbers. */
  get others(): number {
    return this.present - this.numbers;
  }

  /** Whether the distinct values were all kept (else there are more than `maxDistinct`). */
  get distinctComplete(): boolean {
    return this.distinct.size < this.maxDistinct;
  }

  /** Numbers are at least `NUMERIC_SHARE` of the present values (and there is at least one). */
  get mostlyNumbers(): boolean {
    return this.numbers > 0 && this.numbers >= NUMERIC_SHARE * this.present;
  }
}

/** Tallies of every column of a dataset, fed one row (fields aligned with the columns) at a time. */
export class KindTally {
  readonly columns: ColumnTally[];
  /** Rows tallied. */
  rows = 0;
  /** The numbers of the last row added, by field position. */
  parsed = new Float64Array(0);

  /** `maxDistinct`: distinct values kept per column (a categorical column needs them all). */
  constructor(
    numColumns: number,
    readonly maxDistinct: number = DISTINCT_LIMIT,
  ) {
    this.columns = Array.from({ length: numColumns }, () => new ColumnTally(maxDistinct));
  }

  /**
   * Counts one row. `positions[i]`: where column i is in `fields` (-1: absent, a missing value);
   * null when the fields line up with the columns. Leaves each field's number (NaN when missing
   * or not a number) in `parsed`, by its position in `fields`, so fitting need not parse it again.
   */
  add(fields: readonly string[], positions: Int32Array | null = null): void {
    this.rows++;
    const columns = this.columns;
    if (this.parsed.length < fields.length) this.parsed = new Float64Array(fields.length);
    const parsed = this.parsed;
    for (let i = 0; i < columns.length; i++) {
      const at = positions === null ? i : (positions[i] as number);
      const value = (columns[i] as ColumnTally).add(at < 0 ? "" : (fields[at] ?? ""));
      if (at >= 0) parsed[at] = value;
    }
  }

  /** The tally of `rows` (convenient for small data and tests). */
  static of(
    numColumns: number,
    rows: readonly (readonly string[])[],
    maxDistinct = DISTINCT_LIMIT,
  ): KindTally {
    const tally = new KindTally(numColumns, maxDistinct);
    for (const row of rows) tally.add(row);
    return tally;
  }
}

/** What a column becomes when nothing forces its kind. */
export type Verdict =
  | { kind: "numeric" | "categorical" | "date" }
  | { kind: "ignored"; reason: string; rowCounter?: boolean; empty?: boolean };

function percent(part: number, whole: number): string {
  return `${Math.floor((100 * part) / whole)}%`;
}

/**
 * The kind of a feature column from its tally over all rows. Rules, in order:
 * 1. no values → ignored;
 * 2. numbers are at least `NUMERIC_SHARE` of the values → numeric (the other values are bad
 *    records), except a row counter (≥ 20 values, all consecutive integers) → ignored;
 * 3. ISO dates or timestamps are at least `NUMERIC_SHARE` of the values → date (see dates.ts;
 *    the other values are bad records, as in a numeric column);
 * 4. every value a date or time in another form (`3/5/2024`, `14:30`) → ignored;
 * 5. at most `DISTINCT_LIMIT` distinct values, each seen twice on average → categorical (a
 *    bounded vocabulary, whatever its size: large ones are embedded or hashed);
 * 6. otherwise free text or ids → ignored.
 * The single place where kinds are decided.
 */
export function decideKind(t: ColumnTally): Verdict {
  if (t.present === 0) return { kind: "ignored", reason: "no values in any row", empty: true };
  if (t.mostlyNumbers) {
    if (t.others === 0 && t.present >= ROW_COUNTER_MIN && t.consecutive) {
      return { kind: "ignored", reason: "row counter (consecutive integers)", rowCounter: true };
    }
    return { kind: "numeric" };
  }
  if (t.isoDates > 0 && t.isoDates >= NUMERIC_SHARE * t.present) return { kind: "date" };
  if (t.dates === t.present)
    return { kind: "ignored", reason: "dates or times not in ISO form (YYYY-MM-DD, YYYY-MM-DDTHH:MM)" };
  const distinct = t.distinct.size;
  if (t.distinctComplete && distinct * 2 <= t.present) return { kind: "categorical" };
  const count = t.distinctComplete ? `${distinct}` : `at least ${distinct}`;
  const numbers =
    t.numbers === 0
      ? ""
      : `; ${percent(t.numbers, t.present)} of them numbers, fewer than the ${NUMERIC_SHARE * 100}% a numeric column needs`;
  return {
    kind: "ignored",
    reason: `free text or ids (${count} distinct values in ${t.present} rows${numbers})`,
  };
}

/**
 * The kind of a label column from its tally: `integer-classes` when its numbers are all integers
 * ≥ 0 with at most `MAX_INFERRED_CLASSES` distinct values, `regression` for other numbers (in both, the
 * values that are not numbers are bad records, as for a numeric feature), `string-classes` when
 * numbers are fewer than `NUMERIC_SHARE` of the values.
 */
export function decideLabelKind(t: ColumnTally): "regression" | "integer-classes" | "string-classes" {
  if (!t.mostlyNumbers) return "string-classes";
  return t.nonNegativeIntegers === t.numbers && t.distinctNumbers.size <= MAX_INFERRED_CLASSES
    ? "integer-classes"
    : "regression";
}

/** A note for a numeric column with values that are not numbers: what happens to those rows. */
export function otherValuesNote(name: string, t: ColumnTally, role: "column" | "label"): string | null {
  if (t.others === 0 || t.firstOther === null) return null;
  const what = t.others === 1 ? "is not a number" : "are not numbers";
  return (
    `${role} ${JSON.stringify(name)}: ${t.others} of ${t.present} values ${what} (first ${JSON.stringify(t.firstOther.slice(0, 40))}); ` +
    "the column stays numeric and those rows are bad records (error, skip or quarantine as asked)"
  );
}
