import { DataError } from "../errors.ts";
import type { SchemaEncoder } from "../schema/encode.ts";
import type { Sample } from "../types.ts";
import type { PassCounts, RowTally } from "./policy.ts";
import type { CsvRow } from "./rows.ts";

/**
 * One pass's rows (CSV or JSON Lines) encoded by `encoder` into samples of `numFeatures` values:
 * a row with a problem, or one the encoder refuses, goes to `tally` (its policy decides: error,
 * skip, quarantine); every other row is counted as used and yielded.
 */
export async function* encodeRows(
  rows: AsyncIterable<CsvRow>,
  encoder: SchemaEncoder,
  numFeatures: number,
  tally: RowTally,
  pass: PassCounts,
): AsyncGenerator<Sample> {
  for await (const row of rows) {
    if (row.problem !== null) {
      await tally.reject(pass, row, row.problem);
      continue;
    }
    const features = new Float32Array(numFeatures);
    const label = encoder.encode(row.fields, features);
    if (typeof label !== "number") {
      await tally.reject(pass, row, label);
      continue;
    }
    tally.used(pass);
    yield { features, label, source: row.ref };
  }
}

/**
 * The checks at the end of a streamed pass: no usable row, or (when `numSamples` is known) a
 * count other than it, throws `DataError` naming the file when the pass read one (`file`).
 */
export function checkPassEnd(pass: PassCounts, file: string | null, numSamples: number | null): void {
  if (pass.rowsUsed === 0) {
    throw new DataError({
      code: "no-data",
      file,
      reason: `no usable rows: ${pass.rowsRead} read, ${pass.rowsSkipped} skipped, ${pass.rowsQuarantined} quarantined`,
    });
  }
  if (numSamples !== null && pass.rowsUsed !== numSamples) {
    throw new DataError({
      code: "count-mismatch",
      file,
      reason:
        `expected ${numSamples} samples per pass (numSamples), read ${pass.rowsUsed} ` +
        `(${pass.rowsRead} rows, ${pass.rowsSkipped + pass.rowsQuarantined} bad): the data changed since it was counted`,
    });
  }
}

/** `numSamples` as given to a source: null (unknown) or a positive integer; throws `DataError` otherwise. */
export function checkNumSamples(value: number | null | undefined): number | null {
  if (value === undefined || value === null) return null;
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new DataError({
      code: "options",
      reason: `numSamples must be a positive integer or null, got ${JSON.stringify(value)}`,
    });
  }
  return value;
}
