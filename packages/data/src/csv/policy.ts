import { DataError, type DataErrorCode, type RowProblem } from "../errors.ts";
import type { RowRef } from "../types.ts";
import { badRowLimit, type TallyBudget, tooManyBadRows } from "./budget.ts";
import type { RejectsFile } from "./rejects.ts";
import type { CsvRow } from "./rows.ts";

/** `error` stops at the first bad record; `skip` counts and drops it; `quarantine` also writes it to a rejects CSV. */
export type BadRecordPolicy = "error" | "skip" | "quarantine";
export const BAD_RECORD_POLICIES: readonly BadRecordPolicy[] = ["error", "skip", "quarantine"];

/** Rows of one pass or of all passes; always `rowsRead = rowsUsed + rowsSkipped + rowsQuarantined`. */
export interface RowCounts {
  rowsRead: number;
  rowsUsed: number;
  rowsSkipped: number;
  rowsQuarantined: number;
}

/** What reading has done so far: plain JSON, for end-of-run reports. */
export interface ReadSummary {
  policy: BadRecordPolicy;
  passesStarted: number;
  passesCompleted: number;
  /** The pass in progress or last read (0-based); `complete` is false while it runs or if it was abandoned. */
  lastPass: PassCounts | null;
  cumulative: RowCounts;
  /** Bad records by kind, over all passes. */
  badRecords: Partial<Record<DataErrorCode, number>>;
  /** Categorical values outside the vocabulary (encoded as all zeros), per column, over all passes. */
  unseenCategories: Record<string, number>;
  rejects: string | null;
}

const zero = (): RowCounts => ({ rowsRead: 0, rowsUsed: 0, rowsSkipped: 0, rowsQuarantined: 0 });

/** Checks a policy name; throws `DataError` (options) otherwise. */
export function checkPolicy(policy: unknown, rejects: string | null): BadRecordPolicy {
  if (!BAD_RECORD_POLICIES.includes(policy as BadRecordPolicy)) {
    throw new DataError({
      code: "options",
      reason: `onBadRecord must be one of ${BAD_RECORD_POLICIES.join(", ")}, got ${JSON.stringify(policy)}`,
    });
  }
  if (policy === "quarantine" && rejects === null) {
    throw new DataError({ code: "options", reason: 'onBadRecord "quarantine" needs a rejects file path' });
  }
  return policy as BadRecordPolicy;
}

/** Counts of one pass; `complete` turns true when the pass reads to the end. */
export type PassCounts = RowCounts & { pass: number; complete: boolean };

/** How many of the first bad rows an over-budget error names. */
const FIRST_BAD_SHOWN = 3;

/** Applies the bad-record policy and keeps the counts, per pass and cumulative. */
/** A record a pass skipped or quarantined: where it was and why (`reason` names the column when there is one). */
export interface RejectedRow {
  row: RowRef;
  code: DataErrorCode;
  reason: string;
  column: string | null;
}

export class RowTally {
  private last: PassCounts | null = null;
  /** The first bad rows met, as `file:line: reason`, for an over-budget error. */
  private readonly firstBad: string[] = [];
  private passesStarted = 0;
  private passesCompleted = 0;
  private readonly total = zero();
  private readonly bad: Partial<Record<DataErrorCode, number>> = {};
  /** Shared with encoders, which count unseen categories into it. */
  readonly unseen = new Map<string, number>();

  /**
   * `budget`: fail a pass once its skipped and quarantined rows exceed it (`maxBadRows`); a fraction
   * is of `rowsPerPass` when known up front, else checked against the rows read when the pass ends.
   */
  constructor(
    readonly policy: BadRecordPolicy,
    private readonly rejects: RejectsFile | null,
    private readonly budget: TallyBudget | null = null,
    private readonly onReject: ((rejected: RejectedRow) => void) | null = null,
  ) {}

  /** A new pass's counts; passes that overlap each keep their own. */
  startPass(): PassCounts {
    this.last = { pass: this.passesStarted++, complete: false, ...zero() };
    return this.last;
  }

  endPass(pass: PassCounts): PassCounts {
    this.checkBudget(pass, pass.rowsRead);
    pass.complete = true;
    this.passesCompleted++;
    return pass;
  }

  used(pass: PassCounts): void {
    this.count(pass, "rowsUsed");
  }

  /** Throws the record's `DataError` under `error`; otherwise counts it (and quarantines it). */
  async reject(pass: PassCounts, row: CsvRow, problem: RowProblem): Promise<void> {
    if (this.policy === "error") throw DataError.at(row.ref.file, row.ref.line, problem);
    this.bad[problem.code] = (this.bad[problem.code] ?? 0) + 1;
    if (this.firstBad.length < FIRST_BAD_SHOWN) {
      this.firstBad.push(DataError.at(row.ref.file, row.ref.line, problem).message);
    }
    this.onReject?.({ row: row.ref, code: problem.code, reason: problem.reason, column: problem.column });
    if (this.policy === "quarantine" && this.rejects !== null) {
      await this.rejects.write(row, problem);
      this.count(pass, "rowsQuarantined");
    } else {
      this.count(pass, "rowsSkipped");
    }
    this.checkBudget(pass, this.budget?.rowsPerPass ?? null);
  }

  /** Throws `DataError` (too-many-bad-rows) when the pass's bad rows exceed the budget among `rows`. */
  private checkBudget(pass: PassCounts, rows: number | null): void {
    if (this.budget === null) return;
    const bad = pass.rowsSkipped + pass.rowsQuarantined;
    const limit = badRowLimit(this.budget.limit, rows);
    if (limit === null || bad <= limit) return;
    throw tooManyBadRows({
      bad,
      rows,
      what: this.policy === "quarantine" ? "quarantined" : "skipped",
      budget: this.budget.limit,
      limit,
      first: this.firstBad,
    });
  }

  summary(): ReadSummary {
    return {
      policy: this.policy,
      passesStarted: this.passesStarted,
      passesCompleted: this.passesCompleted,
      lastPass: this.last === null ? null : { ...this.last },
      cumulative: { ...this.total },
      badRecords: { ...this.bad },
      unseenCategories: Object.fromEntries(this.unseen),
      rejects: this.rejects?.path ?? null,
    };
  }

  private count(pass: PassCounts, field: Exclude<keyof RowCounts, "rowsRead">): void {
    pass[field]++;
    pass.rowsRead++;
    this.total[field]++;
    this.total.rowsRead++;
  }
}
