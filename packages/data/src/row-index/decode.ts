import { isUtf8 } from "#platform";
import { LineEncoder } from "../csv/line-encoder.ts";
import type { BadRecordPolicy } from "../csv/policy.ts";
import { type CsvFileInfo, fileInfo, rowProblem } from "../csv/rows.ts";
import { CsvSyntaxError, RecordSplitter, type SplitRecord } from "../csv/split.ts";
import { syntaxError } from "../csv/syntax.ts";
import { DataError, type RowProblem } from "../errors.ts";
import { SchemaEncoder } from "../schema/encode.ts";
import type { RowReaderSettings } from "./settings.ts";

const LF = 0x0a;
const CR = 0x0d;

/** Whether `buf[from, to)` holds only empty lines: what may follow a row within its index range. */
function onlyLineBreaks(buf: Uint8Array, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (buf[i] !== LF && buf[i] !== CR) return false;
  return true;
}

/**
 * Turns one row's bytes (its exact range from the index) into features and a label, exactly as
 * the sequential reader does: simple lines straight from bytes through the `LineEncoder`, every
 * other line through the record splitter and the file's `SchemaEncoder` (the reference path).
 */
export class RowDecoder {
  private readonly infos: CsvFileInfo[] = [];
  private readonly encoders: SchemaEncoder[] = [];
  /** Per file: the byte-level encoder of simple lines, or null when it cannot serve the file. */
  private readonly lineEncoders: (LineEncoder | null)[] = [];
  private splitter: RecordSplitter;
  private readonly records: SplitRecord[] = [];

  constructor(private readonly settings: Omit<RowReaderSettings, "index" | "plan">) {
    this.splitter = this.freshSplitter();
  }

  /** Path of file `f` (as added). */
  file(f: number): string {
    return (this.infos[f] as CsvFileInfo).file;
  }

  /**
   * Adds the next file from its first record (the header, or the first row without one): checks
   * its columns and binds its encoders. Throws `DataError` for a bad header or a missing column.
   */
  addFile(file: string, bytes: Uint8Array, line: number): void {
    const { format, schema } = this.settings;
    const fields = this.split(bytes, file, line);
    const info = fileInfo(file, this.infos.length, format, fields, line, !isUtf8(bytes));
    const encoder = new SchemaEncoder(schema, {
      requireLabel: this.settings.requireLabel,
      unseen: this.settings.unseen,
    });
    encoder.bind(info.columns, { file, line: info.headerLine });
    this.infos.push(info);
    this.encoders.push(encoder);
    this.lineEncoders.push(LineEncoder.create(encoder.plan(), format.delimiter));
  }

  /**
   * Decodes the row at `buf[start, end)` of file `f` into `out[base, base + numFeatures)` and
   * returns its label; `valid`: the whole read is known to be valid UTF-8. Throws `DataError` for
   * a bad row (under `skip`/`quarantine` a bad row here means the file changed since it was opened).
   */
  decode(
    f: number,
    buf: Uint8Array,
    start: number,
    end: number,
    valid: boolean,
    line: number,
    out: Float32Array,
    base: number,
  ): number {
    const encoder = this.lineEncoders[f];
    // The line encoder needs a line feed ahead; only a file's unterminated last row lacks one.
    if (encoder != null && buf[end - 1] === LF) {
      const lineFeed = encoder.encode(buf, start, end, out, base);
      if (
        lineFeed >= 0 &&
        (lineFeed === end - 1 || onlyLineBreaks(buf, lineFeed + 1, end)) &&
        (!encoder.nonAscii || isUtf8(buf.subarray(start, lineFeed)))
      )
        return encoder.label;
    }
    const info = this.infos[f] as CsvFileInfo;
    const bytes = buf.subarray(start, end);
    const fields = this.split(bytes, info.file, line, info.columns);
    const problem = rowProblem(fields, info.columns, !valid && !isUtf8(bytes));
    const numFeatures = this.settings.schema.numFeatures;
    const label =
      problem ?? (this.encoders[f] as SchemaEncoder).encode(fields, out.subarray(base, base + numFeatures));
    if (typeof label !== "number") throw badRowRead(this.settings.policy, info.file, line, label);
    return label;
  }

  /** The one record in `bytes`. */
  private split(
    bytes: Uint8Array,
    file: string,
    line: number,
    columns: readonly string[] | null = null,
  ): string[] {
    const records = this.records;
    records.length = 0;
    try {
      this.splitter.push(bytes, records);
      if (records.length === 0) this.splitter.end(records);
    } catch (error) {
      this.splitter = this.freshSplitter();
      if (!(error instanceof CsvSyntaxError)) throw error;
      throw syntaxError(file, error.code, error.column, line, columns, error) as DataError;
    }
    if (records.length !== 1) {
      this.splitter = this.freshSplitter();
      throw new DataError({
        code: "count-mismatch",
        file,
        line,
        reason: `the row index expected one record here, the file has ${records.length} (a quote inside an unquoted field?)`,
      });
    }
    return (records[0] as SplitRecord).fields;
  }

  private freshSplitter(): RecordSplitter {
    const splitter = new RecordSplitter(this.settings.format.delimiter, this.settings.maxRecordChars);
    // Rows never start with a BOM: feeding line breaks first settles the splitter's BOM check.
    splitter.push(Uint8Array.of(LF, LF, LF), []);
    return splitter;
  }
}

/**
 * The error for a bad row met while reading through the index: the row's own error under
 * `error`; under skip/quarantine every bad row was found and left out when the source opened,
 * so meeting one means the file changed during the run (`count-mismatch`).
 */
export function badRowRead(
  policy: BadRecordPolicy,
  file: string,
  line: number,
  problem: RowProblem,
): DataError {
  if (policy === "error") return DataError.at(file, line, problem);
  return new DataError({
    code: "count-mismatch",
    file,
    line,
    reason: `${problem.reason}, but the row was usable when the data was opened: the file changed during the run`,
  });
}
