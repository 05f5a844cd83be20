/** What went wrong, for programs; the message says it for people. */
export type DataErrorCode =
  // Structural: always errors, whatever the bad-record policy.
  | "file-not-found"
  | "not-a-file"
  | "no-files"
  | "duplicate-file"
  | "io"
  | "empty-file"
  | "missing-column"
  | "duplicate-column"
  | "quote"
  | "line-endings"
  | "record-too-long"
  | "no-data"
  | "count-mismatch"
  | "options"
  | "bad-schema"
  | "not-indexable"
  | "too-many-bad-rows"
  // Per record: subject to the bad-record policy.
  | "field-count"
  | "invalid-utf8"
  | "bad-json"
  | "bad-number"
  | "bad-date"
  | "missing-value"
  | "missing-label"
  | "bad-label";

/** A problem with one record, before it is tied to a file and line. */
export interface RowProblem {
  code: DataErrorCode;
  /** One line, starting with the column when there is one: `column 3 "temp" expected a number, got "abc"`. */
  reason: string;
  column: string | null;
  /** 1-based position of `column` in its file's columns. */
  columnNumber: number | null;
}

/**
 * Bad input data or options. The message is one line, `file:line: reason`, so a CLI can print
 * it without a stack: `data.csv:1042: column 3 "temp" expected a number, got "abc"`.
 */
export class DataError extends Error {
  override name = "DataError";
  readonly code: DataErrorCode;
  readonly file: string | null;
  /** 1-based physical line where the offending record starts. */
  readonly line: number | null;
  readonly column: string | null;
  /** 1-based column number of `column`. */
  readonly columnNumber: number | null;
  /** The message without the `file:line:` prefix. */
  readonly reason: string;

  constructor(details: {
    code: DataErrorCode;
    reason: string;
    file?: string | null;
    line?: number | null;
    column?: string | null;
    columnNumber?: number | null;
    cause?: unknown;
  }) {
    const { file = null, line = null } = details;
    const where = file === null ? "" : line === null ? `${file}: ` : `${file}:${line}: `;
    super(where + details.reason, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = details.code;
    this.file = file;
    this.line = line;
    this.column = details.column ?? null;
    this.columnNumber = details.columnNumber ?? null;
    this.reason = details.reason;
  }

  /** Ties a record's problem to where the record is. */
  static at(file: string | null, line: number | null, problem: RowProblem): DataError {
    return new DataError({ ...problem, file, line });
  }
}

const MAX_SHOWN = 40;

/** A field value as the user would recognise it in the file, quoted and shortened to one short line. */
export function showValue(value: string): string {
  const short = value.length > MAX_SHOWN ? `${value.slice(0, MAX_SHOWN)}…` : value;
  return JSON.stringify(short);
}

/** `column 3 "temp"`: both the name and the number, since headers can repeat similar names. */
export function columnLabel(name: string, columnNumber: number): string {
  return `column ${columnNumber} ${JSON.stringify(name)}`;
}

/** A problem located at one column. */
export function columnProblem(
  code: DataErrorCode,
  name: string,
  columnNumber: number,
  what: string,
): RowProblem {
  return { code, reason: `${columnLabel(name, columnNumber)} ${what}`, column: name, columnNumber };
}

/** A list for messages, shortened after `limit` items. */
export function listForMessage(items: readonly string[], limit = 8): string {
  const shown = items.slice(0, limit).map((item) => JSON.stringify(item));
  return items.length > limit ? `${shown.join(", ")}, … (${items.length} in all)` : shown.join(", ");
}
