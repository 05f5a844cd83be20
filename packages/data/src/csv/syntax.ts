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
        reason: `quoted field${where} is never closed (unterminated quote)`,
      });
    case "CSV_INVALID_CLOSING_QUOTE":
      return new DataError({
        ...base,
        code: "quote",
        reason: `closing quote${where} is followed by a character other than a delimiter or line break`,
      });
    case "INVALID_OPENING_QUOTE":
      return new DataError({ ...base, code: "quote", reason: `quote inside an unquoted field${where}` });
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
