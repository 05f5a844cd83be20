import { DataError } from "../errors.ts";

/** How the files are laid out; the same for every file of a dataset. */
export interface CsvFormat {
  /** First non-empty record of each file holds the column names. Default true. */
  header?: boolean;
  /** Column names when `header` is false; default `column1`, `column2`, … (1-based, as in messages). */
  columns?: readonly string[];
  /** Field delimiter: one character, e.g. `,` `;` `\t` `|`. Default `,`. */
  delimiter?: string;
}

export interface ResolvedFormat {
  header: boolean;
  columns: readonly string[] | null;
  delimiter: string;
}

/** Checks a format up front, so a typo fails before any file is opened. Throws `DataError` (code `options`). */
export function resolveFormat(format: CsvFormat = {}): ResolvedFormat {
  const header = format.header ?? true;
  const delimiter = format.delimiter ?? ",";
  // One character (one code point, whatever its UTF-8 length): what every CSV reader means by a
  // delimiter, and what the row index and both parsers split on alike.
  if (typeof delimiter !== "string" || [...delimiter].length !== 1 || /["\r\n]/.test(delimiter)) {
    throw new DataError({
      code: "options",
      reason: `delimiter must be one character other than a quote or a line break (e.g. "," ";" "\\t" "|"), got ${JSON.stringify(delimiter)}`,
    });
  }
  if (header && format.columns !== undefined) {
    throw new DataError({
      code: "options",
      reason: "columns names the fields of files without a header row; set header: false to use them",
    });
  }
  const columns = format.columns === undefined ? null : [...format.columns];
  if (columns !== null) {
    if (columns.length === 0) throw new DataError({ code: "options", reason: "columns must not be empty" });
    checkColumnNames(columns, null, null);
  }
  return { header, columns, delimiter };
}

/** Throws `DataError` (code `duplicate-column`) naming both positions of the first repeated name. */
export function checkColumnNames(names: readonly string[], file: string | null, line: number | null): void {
  const firstAt = new Map<string, number>();
  names.forEach((name, i) => {
    const first = firstAt.get(name);
    if (first !== undefined) {
      throw new DataError({
        code: "duplicate-column",
        file,
        line,
        column: name,
        columnNumber: i + 1,
        reason: `duplicate column name ${JSON.stringify(name)} (columns ${first + 1} and ${i + 1}): columns are selected by name`,
      });
    }
    firstAt.set(name, i);
  });
}

/** Header cells become names: surrounding blanks dropped, an empty cell named by its position. */
export function namesFromHeader(cells: readonly string[]): string[] {
  return cells.map((cell, i) => {
    const name = cell.trim();
    return name === "" ? `column${i + 1}` : name;
  });
}

/** Default names for files without a header. */
export function defaultColumnNames(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `column${i + 1}`);
}

/** A guess for a header that came out as one column: the usual other delimiters it contains. */
export function delimiterHint(columns: readonly string[], delimiter: string): string {
  if (columns.length !== 1) return "";
  const only = columns[0] as string;
  const other = [";", "\t", "|", ","].find((d) => d !== delimiter && only.includes(d));
  return other === undefined
    ? ""
    : ` (the header has one column: is the delimiter ${JSON.stringify(other)}?)`;
}
