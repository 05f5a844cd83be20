import { badRowRead } from "../row-index/decode.ts";
import type { RangeDecoder } from "../row-index/reader.ts";
import type { RowReaderSettings } from "../row-index/settings.ts";
import { SchemaEncoder } from "../schema/encode.ts";
import { ValueEncoder } from "../table/values.ts";
import { cellsOf, parseObject } from "./record.ts";

/**
 * Decodes JSON Lines rows from their exact byte ranges (the row index's line offsets): the line's
 * object, its cells in the schema's column order, the file's `SchemaEncoder`, exactly as the
 * sequential reader (`readJsonlRows`) does.
 */
export class JsonlDecoder implements RangeDecoder {
  private readonly files: string[] = [];
  private readonly encoders: SchemaEncoder[] = [];
  private readonly fast: ValueEncoder[] = [];
  private readonly columns: readonly string[];
  /** One row's values per column (`values[c][0]`), reused for the fast path. */
  private readonly values: unknown[][];

  constructor(private readonly settings: Omit<RowReaderSettings, "index" | "plan">) {
    this.columns = settings.schema.columns;
    this.values = this.columns.map(() => [undefined]);
  }

  file(f: number): string {
    return this.files[f] as string;
  }

  addFile(file: string): void {
    const encoder = new SchemaEncoder(this.settings.schema, {
      requireLabel: this.settings.requireLabel,
      unseen: this.settings.unseen,
    });
    encoder.bind(this.columns, { file, line: null });
    this.files.push(file);
    this.encoders.push(encoder);
    this.fast.push(new ValueEncoder(encoder.plan()));
  }

  decode(
    f: number,
    buf: Uint8Array,
    start: number,
    end: number,
    _valid: boolean,
    line: number,
    out: Float32Array,
    base: number,
  ): number {
    const { record, problem } = parseObject(buf.subarray(start, end));
    if (record !== null) {
      // JSON numbers and known categories straight to features (see ValueEncoder); the rest by text.
      const { columns, values } = this;
      for (let c = 0; c < columns.length; c++) {
        const name = columns[c] as string;
        (values[c] as unknown[])[0] = Object.hasOwn(record, name) ? record[name] : undefined;
      }
      const quick = (this.fast[f] as ValueEncoder).encode(values, 0, out, base);
      if (quick !== null) return quick;
    }
    const numFeatures = this.settings.schema.numFeatures;
    const label =
      problem ??
      (this.encoders[f] as SchemaEncoder).encode(
        cellsOf(record as Record<string, unknown>, this.columns),
        out.subarray(base, base + numFeatures),
      );
    if (typeof label !== "number") throw badRowRead(this.settings.policy, this.file(f), line, label);
    return label;
  }
}
