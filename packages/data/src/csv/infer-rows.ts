import { DataError, type RowProblem } from "../errors.ts";
import { type IncludeSample, SchemaFitter } from "../schema/fit.ts";
import { categorySettings, draftSchema, type SchemaDraft } from "../schema/infer.ts";
import { DISTINCT_LIMIT, KindTally } from "../schema/kinds.ts";
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
   * once per sample in order (in each pass: the data is read twice when the kinds of its first
   * `sampleRows` rows are not those of the whole data, and positions start again). Left-out samples still count in `fit.rowsUsed` and still add
   * label classes; column kinds never depend on it. Unset = every sample (`fit.samplesFitted`
   * = `fit.rowsUsed`). Use it to fit on the training side of a split only.
   */
  includeSample?: IncludeSample;
}

/** What the fit itself needs: `inferSchema`'s options without those saying where and how to read. */
export type SchemaFitOptions = Omit<InferSchemaOptions, "paths" | "parser" | "chunkBytes">;

/** How `fitSchemaFrom` reads the data: its files and the rows of one pass (callable again). */
export interface RowReading {
  files: readonly string[];
  rows(onFile: (info: CsvFileInfo) => void): AsyncIterable<CsvRow>;
}

/** Per file: where each of the first file's columns is in its rows, or null when they line up. */
function alignment(info: CsvFileInfo, columns: readonly string[]): Int32Array | null {
  const same = info.columns.length === columns.length && info.columns.every((name, i) => name === columns[i]);
  if (same) return null;
  const index = new Map(info.columns.map((name, i) => [name, i]));
  return Int32Array.from(columns, (name) => index.get(name) ?? -1);
}

/** What decides how rows are fitted: the features with their kinds and defaults, and the label kind. */
function fittingKinds(draft: SchemaDraft): string {
  return JSON.stringify([draft.features, draft.label]);
}

/** One pass over the data: kinds tallied from every row, statistics fitted on the way. */
interface FitPass {
  /** The kinds decided from every row. */
  draft: SchemaDraft;
  /** The statistics, when they were fitted with exactly `draft`'s kinds; else null. */
  schema: Schema | null;
}

/**
 * `inferSchema`'s passes over rows from anywhere (see `inferSchema` in infer.ts for what they
 * decide): `open()` gives the files (by name) and the rows of one pass, callable again, since
 * the data is read twice when the kinds of its first `sampleRows` rows are not those of the
 * whole data. Other formats on Node and the browser's Blobs and URLs are read through this.
 */
export async function fitSchemaFrom(
  options: SchemaFitOptions,
  open: () => RowReading | Promise<RowReading>,
): Promise<Schema> {
  // No rejects path is needed here, whatever the policy: nothing is written during fitting.
  const policy = checkPolicy(options.onBadRecord ?? "error", "");
  categorySettings(options); // bad category options fail before any file is read
  const maxCategories = DISTINCT_LIMIT; // distinct values per column the kind tally keeps
  const reading = await open();
  const first = await fitPass(reading, options, policy, maxCategories, null);
  if (first.schema !== null) return first.schema;
  const second = await fitPass(reading, options, policy, maxCategories, first.draft);
  if (second.schema === null || fittingKinds(second.draft) !== fittingKinds(first.draft)) {
    throw new DataError({
      code: "count-mismatch",
      reason:
        "the data changed while its schema was inferred (the column kinds differ between two reads); run again once it stays the same",
    });
  }
  return second.schema;
}

/**
 * Reads every row once: tallies the kinds and fits the statistics with `fixed` kinds, or with the
 * kinds of the first `sampleRows` rows when `fixed` is null. Bad records are counted as under
 * `skip` until the end, since whether a value is bad depends on the final kinds; under `error`
 * the first one is then thrown (a structural one at once when nothing earlier can be bad).
 */
async function fitPass(
  reading: RowReading,
  options: SchemaFitOptions,
  policy: BadRecordPolicy,
  maxCategories: number,
  fixed: SchemaDraft | null,
): Promise<FitPass> {
  const tally = new RowTally("skip", null);
  const pass = tally.startPass();
  const sampleRows = options.sampleRows ?? 1000;
  // Typed with `as`: the closures below set them, which flow analysis does not see.
  let firstBad = null as { row: CsvRow; problem: RowProblem } | null;
  let kinds = null as KindTally | null;
  let fitter = null as SchemaFitter | null;
  let draft = fixed as SchemaDraft | null;
  const pendingFiles: CsvFileInfo[] = [];
  let bound: CsvFileInfo | null = null;
  const buffered: CsvRow[] = [];
  let aligning = null as { info: CsvFileInfo; positions: Int32Array | null } | null;
  /** Set when the first rows' kinds are unusable (e.g. a named feature still empty): tally only. */
  let tallyOnly = false as boolean;

  const bind = (info: CsvFileInfo) => {
    (fitter as SchemaFitter).bind(info.columns, { file: info.file, line: info.headerLine });
    bound = info;
  };
  const where = () => {
    const info = pendingFiles[0] as CsvFileInfo;
    return { file: info.file, line: info.headerLine };
  };
  const start = () => {
    if (draft === null) {
      try {
        draft = draftSchema((pendingFiles[0] as CsvFileInfo).columns, kinds as KindTally, options, where());
      } catch (error) {
        // The first rows may not show what the whole data does: decide at the end, then refit.
        if (!(error instanceof DataError)) throw error;
        tallyOnly = true;
        buffered.length = 0;
        return;
      }
    }
    fitter = new SchemaFitter(draft);
    for (const info of pendingFiles) bind(info); // checks every file seen so far has the needed columns
  };
  const reject = async (row: CsvRow, problem: RowProblem) => {
    if (firstBad === null) {
      // A structural problem with nothing bad before it is the first bad record whatever the kinds.
      if (policy === "error" && row.problem !== null) throw DataError.at(row.ref.file, row.ref.line, problem);
      firstBad = { row, problem };
    }
    await tally.reject(pass, row, problem);
  };
  const fit = async (row: CsvRow, parsed?: Float64Array) => {
    if (row.problem !== null) return reject(row, row.problem);
    if (bound !== row.info) bind(row.info);
    const problem = (fitter as SchemaFitter).add(row.fields, options.includeSample, parsed);
    if (problem === null) tally.used(pass);
    else await reject(row, problem);
  };

  const onFile = (info: CsvFileInfo) => {
    if (kinds === null) kinds = new KindTally(info.columns.length, maxCategories);
    if (fitter === null) pendingFiles.push(info);
    else bind(info);
  };
  const { files } = reading;
  const rows = reading.rows(onFile);
  for await (const row of rows) {
    if (aligning?.info !== row.info) {
      aligning = { info: row.info, positions: alignment(row.info, (pendingFiles[0] as CsvFileInfo).columns) };
    }
    const tallied = row.problem === null;
    if (tallied) (kinds as KindTally).add(row.fields, aligning.positions);
    if (tallyOnly) continue;
    if (fitter !== null) {
      await fit(row, tallied ? (kinds as KindTally).parsed : undefined);
      continue;
    }
    buffered.push(row);
    if (buffered.length < sampleRows) continue; // K rows, good or bad: memory stays bounded
    start();
    for (const held of buffered.splice(0)) await fit(held);
  }
  if (
    pass.rowsRead + buffered.length === 0 &&
    (kinds === null || (kinds as KindTally).rows === 0) &&
    firstBad === null
  ) {
    throw new DataError({
      code: "no-data",
      file: files.length === 1 ? (files[0] as string) : null,
      reason: "no data rows (header only)",
    });
  }
  if (fitter === null && !tallyOnly) {
    start();
    for (const held of buffered.splice(0)) await fit(held);
  }
  const final = draftSchema((pendingFiles[0] as CsvFileInfo).columns, kinds as KindTally, options, where());
  if (tallyOnly || fittingKinds(final) !== fittingKinds(draft as SchemaDraft)) {
    return { draft: final, schema: null };
  }
  if (policy === "error" && firstBad !== null) {
    const { row, problem } = firstBad;
    throw DataError.at(row.ref.file, row.ref.line, problem);
  }
  const done = tally.endPass(pass);
  if (done.rowsUsed === 0) {
    throw new DataError({
      code: "no-data",
      reason: `no usable rows: ${done.rowsRead} read, all bad (${JSON.stringify(tally.summary().badRecords)})`,
    });
  }
  const fitted = (fitter as SchemaFitter).samplesFitted;
  if (fitted === 0) {
    throw new DataError({
      code: "no-data",
      reason: `no sample to fit: includeSample left out all ${done.rowsUsed} usable samples`,
    });
  }
  const schema = (fitter as SchemaFitter).finish(
    { rowsRead: done.rowsRead, rowsSkipped: done.rowsSkipped + done.rowsQuarantined },
    final,
  );
  return { draft: final, schema };
}
