import { DataError } from "../errors.ts";

/** An I/O failure (missing file, broken gzip, unreadable bytes) as a one-line `DataError` naming the file. */
export function ioError(file: string, error: unknown): DataError {
  if (error instanceof DataError) return error;
  const err = error as NodeJS.ErrnoException;
  const code = err?.code ?? "";
  if (code === "ENOENT")
    return new DataError({ code: "file-not-found", file, reason: "no such file", cause: error });
  if (code.startsWith("Z_") || code === "ERR_ZLIB") {
    return new DataError({
      code: "io",
      file,
      reason: `not a valid gzip stream (${err.message})`,
      cause: error,
    });
  }
  return new DataError({
    code: "io",
    file,
    reason: `cannot read: ${err?.message ?? String(error)}`,
    cause: error,
  });
}

/**
 * Why a quote error stops the read whatever the bad-record policy: a quote decides which line
 * feeds end records, so once one is broken the parser cannot tell where this record ends, nor
 * where the next starts (an unclosed quote may run to the end of the file). Skipping "the bad
 * record" would mean guessing its extent, and every row after it could be cut wrongly. (A quote
 * inside an unquoted field could be resynchronised at the end of its line; that would need the
 * row index's record counter, which treats every quote as a toggle, to apply the same rule.)
 */
const QUOTE_STOPS =
  "the bad-record policy cannot skip it: a broken quote moves where records end, so no later row could be trusted";

/** A syntax error of either parser, as one line at the start of the record that failed. */
export function syntaxError(
  file: string,
  code: string | undefined,
  index: number | null,
  line: number,
  columns: readonly string[] | null,
  cause: unknown,
): DataError | null {
  const column = index === null ? null : (columns?.[index] ?? null);
  const where =
    index === null ? "" : ` in column ${index + 1}${column === null ? "" : ` ${JSON.stringify(column)}`}`;
  const base = { file, line, column, columnNumber: index === null ? null : index + 1, cause };
  switch (code) {
    case "CSV_QUOTE_NOT_CLOSED":
      return new DataError({
        ...base,
        code: "quote",
        reason: `quoted field${where} is never closed (unterminated quote); ${QUOTE_STOPS}`,
      });
    case "CSV_INVALID_CLOSING_QUOTE":
      return new DataError({
        ...base,
        code: "quote",
        reason: `closing quote${where} is followed by a character other than a delimiter or line break (a quote inside a quoted field is written twice: "5'10"""); ${QUOTE_STOPS}`,
      });
    case "INVALID_OPENING_QUOTE":
      return new DataError({
        ...base,
        code: "quote",
        reason: `quote inside an unquoted field${where} (quote the field and double the quote: "5'10"""); ${QUOTE_STOPS}`,
      });
    case "CSV_MAX_RECORD_SIZE":
      return new DataError({
        ...base,
        code: "record-too-long",
        reason: "record exceeds the maximum record size (an unterminated quote?)",
      });
    default:
      return null;
  }
}
