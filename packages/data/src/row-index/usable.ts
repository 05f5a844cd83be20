import type { ByteInput } from "../bytes/input.ts";
import type { ResolvedFormat } from "../csv/format.ts";
import type { RowTally } from "../csv/policy.ts";
import type { RejectsFile } from "../csv/rejects.ts";
import { type CsvFileInfo, type CsvRow, type RecordsOf, readRows } from "../csv/rows.ts";
import { DataError } from "../errors.ts";
import { SchemaEncoder } from "../schema/encode.ts";
import type { Schema } from "../schema/types.ts";
import type { RowIndex } from "./rows.ts";

/**
 * The usable rows of an index: every data row except the sorted `bad` ones. Sample u (0-based,
 * as the pipeline numbers samples) is the u-th usable row. Memory: 8 bytes per bad row.
 */
export class UsableRows {
  readonly numSamples: number;

  constructor(
    readonly numRows: number,
    readonly bad: Float64Array,
  ) {
    this.numSamples = numRows - bad.length;
  }

  /** Global data row of sample `sample`: `sample` plus the bad rows before it. */
  rowOf(sample: number): number {
    const bad = this.bad;
    if (bad.length === 0) return sample;
    // bad[k] - k (usable rows before the k-th bad row) never decreases, so the count is a binary search.
    let lo = 0;
    let hi = bad.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((bad[mid] as number) - mid <= sample) lo = mid + 1;
      else hi = mid;
    }
    return sample + lo;
  }
}

/**
 * The usable rows of `numRows` data rows in `files` once the `bad` ones are left out. Throws
 * `DataError`: no usable row (`no-data`), or `declared` (a `numSamples` given by the caller)
 * other than their number (`count-mismatch`: the data changed since it was counted).
 */
export function usableRowsOf(
  numRows: number,
  bad: Float64Array,
  files: readonly string[],
  declared: number | null,
): UsableRows {
  const usable = new UsableRows(numRows, bad);
  const { numSamples } = usable;
  const where = files.length === 1 ? (files[0] as string) : null;
  if (numSamples === 0) {
    throw new DataError({
      code: "no-data",
      file: where,
      reason: `no usable rows: ${numRows} rows, ${bad.length} bad`,
    });
  }
  if (declared !== null && declared !== numSamples) {
    throw new DataError({
      code: "count-mismatch",
      file: where,
      reason: `expected ${declared} samples per pass (numSamples), the data has ${numSamples} (${numRows} rows, ${bad.length} bad): the data changed since it was counted`,
    });
  }
  return usable;
}

/**
 * The `skip`/`quarantine` decision, made once: one sequential pass through the reader and the
 * encoder (the same code as `csvSource`) finds every bad row, applies the policy to it (counts,
 * rejects file, `maxBadRows`) and returns the bad rows' indices in order. The index's row count
 * must equal the reader's, else the index does not describe the file (`count-mismatch`).
 */
export async function scanBadRows(
  index: Pick<RowIndex, "files" | "numRows">,
  settings: {
    format: ResolvedFormat;
    schema: Schema;
    requireLabel: boolean | undefined;
    tally: RowTally;
    rejects: RejectsFile | null;
  } & (
    | {
        /** The index's files as inputs, and how their records are read (the fast splitter or csv-parse). */
        inputs: readonly ByteInput[];
        records: RecordsOf;
      }
    | {
        /** The rows of one pass, when not CSV (e.g. JSON Lines); `onFile` binds each file's columns. */
        rows: (onFile: (info: CsvFileInfo) => void) => AsyncIterable<CsvRow>;
      }
  ),
): Promise<Float64Array> {
  const { format, schema, tally, rejects } = settings;
  const encoder = new SchemaEncoder(schema, { requireLabel: settings.requireLabel, unseen: tally.unseen });
  const features = new Float32Array(schema.numFeatures);
  const bad: number[] = [];
  const pass = tally.startPass();
  await rejects?.begin();
  try {
    const onFile = (info: CsvFileInfo) =>
      encoder.bind(info.columns, { file: info.file, line: info.headerLine });
    const rows =
      "rows" in settings
        ? settings.rows(onFile)
        : readRows(
            settings.inputs,
            format,
            { onFile, chunkBytes: 256 * 1024, maxRecordChars: 16 * 2 ** 20 },
            settings.records,
          );
    for await (const row of rows) {
      const problem = row.problem ?? encoder.encode(row.fields, features);
      if (typeof problem === "number") {
        tally.used(pass);
        continue;
      }
      bad.push(row.ref.index);
      await tally.reject(pass, row, problem);
    }
  } finally {
    await rejects?.close();
  }
  tally.endPass(pass);
  if (pass.rowsRead !== index.numRows) {
    throw new DataError({
      code: "count-mismatch",
      file: index.files.length === 1 ? (index.files[0] as string) : null,
      reason: `the row index has ${index.numRows} rows but reading found ${pass.rowsRead}: the files changed while they were read`,
    });
  }
  return Float64Array.from(bad);
}
