import { DataError } from "../errors.ts";
import { type IncludeSample, SchemaFitter } from "../schema/fit.ts";
import { draftSchema } from "../schema/infer.ts";
import type { Schema, SchemaOptions } from "../schema/types.ts";
import type { CsvFormat } from "./format.ts";
import { type BadRecordPolicy, checkPolicy, RowTally } from "./policy.ts";
import type { CsvParser } from "./records.ts";
import type { CsvFileInfo, CsvRow } from "./rows.ts";

export interface InferSchemaOptions extends CsvFormat, SchemaOptions {
  /** Files, directories of part files or globs (the training data). */
  paths: string | readonly string[];
  /** Default `error`. `quarantine` counts like `skip` here: the source writes the rejects file. */
  onBadRecord?: BadRecordPolicy;
  /** Default `fast`; `csv-parse` uses the reference parser (same records, slower). */
  parser?: CsvParser;
  chunkBytes?: number;
  /**
   * Which usable samples feed the statistics, vocabularies and regression label: `position` is
   * the 0-based number of a usable sample in the pass (the n-th row without a problem), asked
   * once per sample in order. Left-out samples still count in `fit.rowsUsed` and still add
   * label classes; column kinds never depend on it. Unset = every sample (`fit.samplesFitted`
   * = `fit.rowsUsed`). Use it to fit on the training side of a split only.
   */
  includeSample?: IncludeSample;
}

/** Fields of `row` in the order of `columns` (files may order their columns differently). */
function aligned(row: CsvRow, columns: readonly string[]): string[] {
  if (row.info.columns === columns) return row.fields;
  const index = new Map(row.info.columns.map((name, i) => [name, i]));
  return columns.map((name) => row.fields[index.get(name) ?? -1] ?? "");
}

export type SchemaFitOptions = Omit<InferSchemaOptions, "paths" | "parser" | "chunkBytes">;

/**
 * `inferSchema`'s pass over rows from anywhere: `read(onFile)` gives the rows of `files` (by
 * name) in order and calls `onFile` before each file's rows. The browser's `inferSchema` reads
 * Blobs and URLs through this.
 */
export async function inferSchemaFrom(
  read: (onFile: (info: CsvFileInfo) => void) => AsyncIterable<CsvRow>,
  files: readonly string[],
  options: SchemaFitOptions,
): Promise<Schema> {
  // No rejects path is needed here, whatever the policy: nothing is written during fitting.
  const policy = checkPolicy(options.onBadRecord ?? "error", "");
  const tally = new RowTally(policy === "quarantine" ? "skip" : policy, null);
  const pass = tally.startPass();
  const sampleRows = options.sampleRows ?? 1000;
  let fitter: SchemaFitter | null = null;
  const pendingFiles: CsvFileInfo[] = [];
  let bound: CsvFileInfo | null = null;
  const buffered: CsvRow[] = [];
  const sample: string[][] = [];

  const bind = (info: CsvFileInfo) => {
    (fitter as SchemaFitter).bind(info.columns, { file: info.file, line: info.headerLine });
    bound = info;
  };
  const start = () => {
    const first = pendingFiles[0] as CsvFileInfo;
    const draft = draftSchema(first.columns, sample, options, { file: first.file, line: first.headerLine });
    fitter = new SchemaFitter(draft);
    for (const info of pendingFiles) bind(info); // checks every file seen so far has the needed columns
  };
  const fit = async (row: CsvRow) => {
    if (row.problem !== null) return tally.reject(pass, row, row.problem);
    if (bound !== row.info) bind(row.info);
    const problem = (fitter as SchemaFitter).add(row.fields, options.includeSample);
    if (problem === null) tally.used(pass);
    else await tally.reject(pass, row, problem);
  };

  const rows = read((info) => (fitter === null ? pendingFiles.push(info) : bind(info)));
  for await (const row of rows) {
    if (fitter !== null) {
      await fit(row);
      continue;
    }
    buffered.push(row);
    if (row.problem === null) sample.push(aligned(row, (pendingFiles[0] as CsvFileInfo).columns));
    if (buffered.length < sampleRows) continue; // K rows, good or bad: memory stays bounded
    start();
    for (const held of buffered.splice(0)) await fit(held);
  }
  if (pass.rowsRead + buffered.length === 0) {
    throw new DataError({
      code: "no-data",
      file: files.length === 1 ? files[0] : null,
      reason: "no data rows (header only)",
    });
  }
  if (fitter === null) {
    start();
    for (const held of buffered.splice(0)) await fit(held);
  }
  const done = tally.endPass(pass);
  if (done.rowsUsed === 0) {
    throw new DataError({
      code: "no-data",
      reason: `no usable rows: ${done.rowsRead} read, all bad (${JSON.stringify(tally.summary().badRecords)})`,
    });
  }
  const fitted = (fitter as unknown as SchemaFitter).samplesFitted;
  if (fitted === 0) {
    throw new DataError({
      code: "no-data",
      reason: `no sample to fit: includeSample left out all ${done.rowsUsed} usable samples`,
    });
  }
  return (fitter as unknown as SchemaFitter).finish({
    rowsRead: done.rowsRead,
    rowsSkipped: done.rowsSkipped + done.rowsQuarantined,
  });
}
