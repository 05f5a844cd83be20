// Random CSV documents for property tests. Each document knows its records and the physical
// line where each starts, computed while writing the text, independently of any parser.
import fc from "fast-check";

export interface RandomCsv {
  text: string;
  delimiter: string;
  /** Records in file order, header (if any) included. */
  records: string[][];
  /** 1-based start line of each record. */
  lines: number[];
}

const PIECES = ["a", "b", "7", "-1.5", " ", "é", "\u20ac", "", ",", ";", "\t", "|", '"', "\n", "\r\n", "\r"];

const field = fc.array(fc.constantFrom(...PIECES), { maxLength: 5 }).map((parts) => parts.join(""));

/** Writes one field, quoting when csv-parse needs it, and sometimes when it does not. */
function writeField(value: string, delimiter: string, forceQuote: boolean, alone: boolean): string {
  const needs = forceQuote || value.includes(delimiter) || /["\r\n]/.test(value) || (alone && value === ""); // an unquoted empty record would be an empty line
  return needs ? `"${value.replace(/"/g, '""')}"` : value;
}

export interface RandomCsvOptions {
  maxColumns?: number;
  maxRows?: number;
  /** Let records have differing field counts. */
  ragged?: boolean;
}

/** A random well-formed CSV document with mixed line endings, empty lines, quotes and an optional BOM. */
export function randomCsv(options: RandomCsvOptions = {}): fc.Arbitrary<RandomCsv> {
  const { maxColumns = 4, maxRows = 12, ragged = false } = options;
  return fc
    .record({
      delimiter: fc.constantFrom(",", ";", "\t", "|"),
      columns: fc.integer({ min: 1, max: maxColumns }),
      rows: fc.array(
        fc.record({
          fields: fc.array(field, { minLength: 1, maxLength: maxColumns }),
          quote: fc.array(fc.boolean(), { minLength: maxColumns, maxLength: maxColumns }),
          ending: fc.constantFrom("\n", "\r\n"),
          emptyBefore: fc.array(fc.constantFrom("\n", "\r\n"), { maxLength: 2 }),
        }),
        { minLength: 1, maxLength: maxRows },
      ),
      bom: fc.boolean(),
      trailingNewline: fc.boolean(),
      trailingEmptyLines: fc.array(fc.constantFrom("\n", "\r\n"), { maxLength: 2 }),
    })
    .map(({ delimiter, columns, rows, bom, trailingNewline, trailingEmptyLines }) => {
      let text = bom ? "\ufeff" : "";
      let line = 1;
      const records: string[][] = [];
      const lines: number[] = [];
      rows.forEach((row, r) => {
        for (const empty of row.emptyBefore) {
          text += empty;
          line++;
        }
        const fields = ragged
          ? row.fields
          : Array.from({ length: columns }, (_, i) => row.fields[i % row.fields.length] as string);
        const written = fields.map((value, i) =>
          writeField(value, delimiter, row.quote[i] ?? false, fields.length === 1),
        );
        const body = written.join(delimiter);
        records.push(fields);
        lines.push(line);
        text += body;
        line += (body.match(/\n/g) ?? []).length;
        const last = r === rows.length - 1;
        if (!last || trailingNewline) {
          text += row.ending;
          line++;
        }
      });
      if (trailingNewline) text += trailingEmptyLines.join("");
      return { text, delimiter, records, lines };
    });
}

/** Splits bytes into chunks at the given cut points, to exercise chunk boundaries. */
export function chunked(bytes: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let start = 0;
  for (const point of points) {
    if (point > start) chunks.push(bytes.subarray(start, point));
    start = Math.max(start, point);
  }
  chunks.push(bytes.subarray(start));
  return chunks;
}
