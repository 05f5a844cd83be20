import { fileInput } from "../bytes/file-input.ts";
import { SchemaEncoder } from "../schema/encode.ts";
import { parseSchema } from "../schema/json.ts";
import type { Schema } from "../schema/types.ts";
import type { Sample, SampleChunk, SampleSource } from "../types.ts";
import { workerSpecField } from "../worker-spec.ts";
import { budgetOf, type MaxBadRows } from "./budget.ts";
import { csvChunks } from "./chunks.ts";
import { checkNumSamples, checkPassEnd, encodeRows } from "./encode-rows.ts";
import { resolveCsvFiles } from "./files.ts";
import { type CsvFormat, resolveFormat } from "./format.ts";
import { type BadRecordPolicy, checkPolicy, type ReadSummary, type RejectedRow, RowTally } from "./policy.ts";
import { readCsvRows } from "./read.ts";
import type { CsvParser } from "./records.ts";
import { RejectsFile } from "./rejects.ts";

export interface CsvSourceOptions extends CsvFormat {
  /** Files, directories of part files or globs, read in a stable order. */
  paths: string | readonly string[];
  /** From `inferSchema`, or loaded with `parseSchema`. */
  schema: Schema;
  /** Default `error`. */
  onBadRecord?: BadRecordPolicy;
  /** Rejects CSV path; required with `quarantine`. */
  rejects?: string | null;
  /**
   * Most bad rows a pass may skip or quarantine: a count (`10`) or a share of the rows read
   * (`0.001`, `"0.1%"`); more fails the pass with `DataError` (too-many-bad-rows) naming the first
   * ones. A count fails as soon as it is exceeded, a share when the pass ends. Default: no limit.
   */
  maxBadRows?: MaxBadRows | null;
  /** Usable samples per pass when known (e.g. `schema.fit.rowsUsed` on the same data); checked at the end of every pass. */
  numSamples?: number | null;
  /** Default: true when the schema has a label. Set false to read unlabelled data for prediction (labels are NaN). */
  requireLabel?: boolean;
  /**
   * Called for every record a pass skips or quarantines, in file order, before the pass goes on
   * (e.g. to report a row that predictions leave out). Every pass calls it again for its records.
   */
  onReject?: (rejected: RejectedRow) => void;
  /** Default `fast`; `csv-parse` uses the reference parser (same records, slower). */
  parser?: CsvParser;
  chunkBytes?: number;
}

/** A CSV dataset as a `SampleSource`, with its schema, file list and read summary. */
export interface CsvSource extends SampleSource {
  readonly schema: Schema;
  /** The dataset's files in reading order (resolved once, on first use). */
  files(): Promise<string[]>;
  /** Rows read, used, skipped and quarantined, for the last pass and cumulative. */
  summary(): ReadSummary;
  /** One pass in chunks: the samples of `stream()`, read through the byte-level fast path (absent with parser `csv-parse`). */
  chunks?(): AsyncIterable<SampleChunk>;
}

/**
 * Streams CSV files as samples encoded by `schema`, one full pass per `stream()` call, in file
 * order with bounded memory. Bad records follow `onBadRecord`; every row is counted in
 * `summary()`. A pass throws `DataError` for structural problems, a bad record under `error`,
 * a pass with no usable rows, or a pass whose sample count differs from `numSamples`.
 * Options are checked here, so mistakes fail before any file is read.
 * @example const source = csvSource({ paths: "data/", schema, onBadRecord: "skip" })
 */
export function csvSource(options: CsvSourceOptions): CsvSource {
  const format = resolveFormat(options);
  const schema = parseSchema(options.schema);
  const rejectsPath = options.rejects ?? null;
  const policy = checkPolicy(options.onBadRecord ?? "error", rejectsPath);
  const numSamples = checkNumSamples(options.numSamples);
  const rejects = policy === "quarantine" ? new RejectsFile(rejectsPath as string, format.delimiter) : null;
  const tally = new RowTally(
    policy,
    rejects,
    budgetOf(options.maxBadRows, policy, null),
    options.onReject ?? null,
  );
  let files: Promise<string[]> | null = null;
  const resolveFiles = () => {
    files ??= resolveCsvFiles(options.paths);
    return files;
  };

  async function* stream(): AsyncGenerator<Sample> {
    const list = await resolveFiles();
    // One encoder per pass: passes may overlap (a prefetcher opening the next one) without sharing bindings.
    const encoder = new SchemaEncoder(schema, { requireLabel: options.requireLabel, unseen: tally.unseen });
    const pass = tally.startPass();
    await rejects?.begin();
    try {
      const rows = readCsvRows(list, {
        ...format,
        columns: format.columns ?? undefined,
        chunkBytes: options.chunkBytes,
        parser: options.parser,
        onFile: (info) => encoder.bind(info.columns, { file: info.file, line: info.headerLine }),
      });
      yield* encodeRows(rows, encoder, schema.numFeatures, tally, pass);
    } finally {
      await rejects?.close();
    }
    tally.endPass(pass);
    checkPassEnd(pass, list.length === 1 ? (list[0] as string) : null, numSamples);
  }

  async function* chunks(): AsyncGenerator<SampleChunk> {
    const list = await resolveFiles();
    const { requireLabel, chunkBytes } = options;
    yield* csvChunks({
      inputs: list.map((file) => fileInput(file)),
      format,
      schema,
      requireLabel,
      chunkBytes,
      tally,
      rejects,
      numSamples,
    });
  }

  return {
    numFeatures: schema.numFeatures,
    numSamples,
    schema,
    stream,
    files: resolveFiles,
    summary: () => tally.summary(),
    ...(options.parser === "csv-parse" ? {} : { chunks }),
    ...workerSpecField(import.meta.url, "csvSource", [options]),
  };
}
