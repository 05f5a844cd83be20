import { DataError } from "../errors.ts";

/** A bad-row budget: a count (`10`, `"10"`) or a share of the rows read (`0.001`, `"0.1%"`). */
export type MaxBadRows = number | string;

/** A checked budget: exactly one of `count` and `fraction` is set; `text` is how messages show it. */
export interface BadRowBudget {
  count: number | null;
  fraction: number | null;
  text: string;
}

function invalid(value: unknown): DataError {
  return new DataError({
    code: "options",
    reason: `maxBadRows must be a row count (e.g. 10), a fraction below 1 (e.g. 0.001) or a percentage (e.g. "0.1%"), got ${JSON.stringify(value)}`,
  });
}

/**
 * Reads a bad-row budget: an integer ≥ 0 is a count, a number in (0, 1) a fraction, `"N%"` a
 * percentage. Throws `DataError` (options) for anything else.
 * @example parseMaxBadRows("0.1%") // { count: null, fraction: 0.001, text: "0.1%" }
 */
export function parseMaxBadRows(value: MaxBadRows): BadRowBudget {
  if (typeof value === "string") {
    const text = value.trim();
    const percent = /^(\d+(?:\.\d+)?|\.\d+)%$/.exec(text);
    if (percent) {
      const share = Number(percent[1]) / 100;
      if (!(share <= 1)) throw invalid(value);
      return { count: null, fraction: share, text };
    }
    if (!/^(\d+(?:\.\d+)?|\.\d+)$/.test(text)) throw invalid(value);
    return parseMaxBadRows(Number(text));
  }
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) throw invalid(value);
  if (Number.isInteger(value)) return { count: value, fraction: null, text: String(value) };
  if (value < 1) return { count: null, fraction: value, text: `${Number((value * 100).toPrecision(6))}%` };
  throw invalid(value);
}

/** What a `RowTally` checks: the budget, and the rows of a pass when known up front. */
export interface TallyBudget {
  limit: BadRowBudget;
  rowsPerPass: number | null;
}

/** The tally budget for a `maxBadRows` option; throws `DataError` (options) when the policy never skips. */
export function budgetOf(
  maxBadRows: MaxBadRows | null | undefined,
  policy: "error" | "skip" | "quarantine",
  rowsPerPass: number | null,
): TallyBudget | null {
  if (maxBadRows === undefined || maxBadRows === null) return null;
  const limit = parseMaxBadRows(maxBadRows);
  if (policy === "error") {
    throw new DataError({
      code: "options",
      reason:
        'maxBadRows needs onBadRecord "skip" or "quarantine" (with "error" the first bad row stops the run)',
    });
  }
  return { limit, rowsPerPass };
}

/** Bad rows allowed among `rows` rows; null when a fraction meets an unknown row count. */
export function badRowLimit(budget: BadRowBudget, rows: number | null): number | null {
  if (budget.count !== null) return budget.count;
  return rows === null ? null : Math.floor((budget.fraction as number) * rows);
}

/**
 * The one-line error for a budget that was exceeded: the count, the limit and the first offending
 * rows (`file:line: reason`), e.g. `too many bad rows: 12 of 1000 rows skipped, more than
 * maxBadRows 1% (10 rows); first: data.csv:3: column 2 "x" expected a number, got "abc"; …`.
 */
export function tooManyBadRows(details: {
  bad: number;
  rows: number | null;
  what: "skipped" | "quarantined";
  budget: BadRowBudget;
  limit: number;
  first: readonly string[];
}): DataError {
  const { bad, rows, budget, limit, first } = details;
  const of = rows === null ? "" : ` of ${rows}`;
  const allowed = budget.count !== null ? "" : ` (${limit} rows)`;
  const more = bad > first.length ? "; …" : "";
  return new DataError({
    code: "too-many-bad-rows",
    reason:
      `too many bad rows: ${bad}${of} rows ${details.what}, more than maxBadRows ${budget.text}${allowed}` +
      (first.length > 0 ? `; first: ${first.join("; ")}${more}` : ""),
  });
}
