import {
  type CsvSource,
  DataError,
  describeSchema,
  formatOfName,
  type InferDataSchemaOptions,
  inferDataSchema,
  parseSchema,
  type RejectedRow,
  readRows,
  type SampleSource,
  type Schema,
  streamDataSource,
} from "@stepwise/data/internals";
import { UsageError } from "../errors.ts";
import type { Task } from "../model/build.ts";
import { PhaseRecorder } from "../run/profile.ts";
import type { TrainConfig } from "./config.ts";
import { csvFormat, formatOf, trainingSources } from "./sources.ts";
import { splitMembership } from "./split.ts";

/** Training data ready for a pipeline: sources, schema and what the model must predict. */
export interface OpenedData {
  /** Printed before training. */
  schemaText: string;
  /** Written as schema.json; the same encoding is reused by resume, evaluate and predict. */
  schemaJson: Schema;
  numFeatures: number;
  task: Task;
  /** Class names by index (classification and binary), else null. */
  classNames: string[] | null;
  train: SampleSource;
  validation: SampleSource | null;
  /** One line on skipped or quarantined rows, or null when every row was used. */
  badRecords(): string | null;
}

/** Labelled or unlabelled rows to score with a finished run's schema. */
export interface ScoringData {
  source: CsvSource;
  numFeatures: number;
  task: Task;
  classNames: string[] | null;
  /** What happens to a row that cannot be encoded: the run stops, or the row is skipped (and reported). */
  onBadRecord: "error" | "skip";
  badRecords(): string | null;
  /** Rows per categorical column whose value was not in its vocabulary (encoded as its OOV input), so far. */
  outOfVocabulary(): Record<string, number>;
}

/** One line on the rows that went to OOV inputs, or null when none did. */
export function outOfVocabularyText(counts: Record<string, number>): string | null {
  const entries = Object.entries(counts).filter(([, n]) => n > 0);
  if (entries.length === 0) return null;
  const list = entries.map(([name, n]) => `${JSON.stringify(name)} ${n}`).join(", ");
  return `Categories outside the training vocabulary (encoded as the column's out-of-vocabulary input), rows per column: ${list}`;
}

/** Class names and task from a fitted schema; throws `UsageError` for a label the task cannot use. */
export function taskOf(
  schema: Schema,
  requested: TrainConfig["task"],
  data: string,
): { task: Task; classNames: string[] | null } {
  const label = schema.label;
  if (label === null) throw new UsageError(`${data}: the schema has no label column; give --label COL`);
  if (label.kind === "regression") {
    if (requested === "classification") {
      throw new UsageError(
        `--task classification: label "${label.name}" in ${data} holds continuous numbers, not classes; use --task regression (or auto)`,
      );
    }
    return { task: "regression", classNames: null };
  }
  const classNames =
    label.kind === "string-classes"
      ? label.vocabulary
      : Array.from({ length: label.numClasses }, (_, i) => String(i));
  if (classNames.length < 2) {
    throw new UsageError(
      `label "${label.name}" in ${data} has one class only (${JSON.stringify(classNames[0] ?? "")}); a classifier needs at least two — check --label and the data`,
    );
  }
  return { task: classNames.length === 2 ? "binary" : "classification", classNames };
}

function summaryOf(sources: CsvSource[]): () => string | null {
  return () => {
    let skipped = 0;
    let quarantined = 0;
    let read = 0;
    const rejects = new Set<string>();
    for (const source of sources) {
      const last = source.summary().lastPass;
      if (!last) continue;
      skipped += last.rowsSkipped;
      quarantined += last.rowsQuarantined;
      read += last.rowsRead;
      const path = source.summary().rejects;
      if (path) rejects.add(path);
    }
    if (skipped + quarantined === 0) return null;
    const where = rejects.size > 0 ? ` (written to ${[...rejects].join(", ")})` : "";
    return `Bad records per pass: ${skipped} skipped, ${quarantined} quarantined${where}, of ${read} rows read`;
  };
}

/** What decided the column kinds: must come out the same from both passes of `fitSchema`. */
function kindsOf(schema: Schema): string {
  return JSON.stringify([
    schema.features.map((f) => [f.name, f.kind]),
    schema.label && [schema.label.name, schema.label.kind],
    schema.ignored,
  ]);
}

/**
 * Infers the schema of the training data and fits its statistics, on the training samples
 * only: with --validation-split the validation samples count as data (numSamples) but feed no
 * statistics, vocabulary or regression label stats, so nothing of them leaks into training
 * preprocessing. Label classes come from every sample, so a class only validation samples carry
 * stays a class (the schema notes it). The split needs the usable sample count N before it can
 * name its validation positions, and N is known only after a pass: the first streaming pass
 * decides the kinds and N as without a split, a second one refits the statistics on the
 * training positions. That costs one extra read and parse of the data, with --validation-split
 * only; the kinds come from every row both times. Throws `UsageError` for a split
 * leaving a side empty, `DataError` for bad data or data that changed between the passes.
 */
export async function fitSchema(config: TrainConfig, phases = new PhaseRecorder()): Promise<Schema> {
  const options = schemaOptions(config);
  const all = await phases.time("schema", () => inferDataSchema(options));
  if (config.validationSplit === undefined) return all;
  const numSamples = all.fit.rowsUsed;
  const { isValidation } = splitMembership({
    numSamples,
    fraction: config.validationSplit,
    seed: config.seed,
    mode: config.splitMode,
  });
  const includeSampleKey = JSON.stringify({
    validationSplit: [numSamples, config.validationSplit, config.seed, config.splitMode],
  });
  const training = await phases.time("refit", () =>
    inferDataSchema({ ...options, includeSample: (position) => !isValidation(position), includeSampleKey }),
  );
  if (training.fit.rowsUsed !== numSamples || kindsOf(training) !== kindsOf(all)) {
    throw new DataError({
      code: "count-mismatch",
      reason: `${config.data} changed while its schema was fitted (${numSamples} usable samples, then ${training.fit.rowsUsed}); run again once it stays the same`,
    });
  }
  return training;
}

function schemaOptions(config: TrainConfig): InferDataSchemaOptions {
  return {
    paths: config.data,
    format: config.format ?? "auto",
    ...csvFormat(config),
    label: config.label,
    ...(config.features ? { features: config.features } : {}),
    ...(config.categorical ? { categorical: config.categorical } : {}),
    ...(config.numeric ? { numeric: config.numeric } : {}),
    ...(config.ignore ? { ignore: config.ignore } : {}),
    ...(config.maxCategories !== undefined ? { maxCategories: config.maxCategories } : {}),
    ...(config.minFrequency !== undefined ? { minFrequency: config.minFrequency } : {}),
    ...(config.maxOneHot !== undefined ? { maxOneHot: config.maxOneHot } : {}),
    ...(config.hashBuckets !== undefined ? { hashBuckets: config.hashBuckets } : {}),
    ...(config.dateFeatures !== undefined ? { dateFeatures: config.dateFeatures } : {}),
    ...(config.task === "regression" ? { labelKind: "regression" as const } : {}),
    onBadRecord: config.onBadRecord,
    // A second run on unchanged data reads the fit back from .stepwise-index/ (checked against the content).
    cache: true,
  };
}

/**
 * Resolves the schema (inferred and fitted by `fitSchema`, or `saved` when resuming: never
 * refitted, so a resumed run encodes exactly as the interrupted one did),
 * opens the training and validation sources, and decides the task (timed into `phases`). Throws
 * `UsageError` or the data package's `DataError` for bad input, always before any run file is written.
 */
export async function openTrainingData(
  config: TrainConfig,
  saved: unknown,
  phases = new PhaseRecorder(),
): Promise<OpenedData> {
  const schema = saved !== null ? parseSchema(saved) : await fitSchema(config, phases);
  const { task, classNames } = taskOf(schema, config.task, config.data);
  const { train, validation } = await phases.time("rowIndex", () => trainingSources(config, schema));
  return {
    schemaText: describeSchema(schema),
    schemaJson: schema,
    numFeatures: schema.numFeatures,
    task,
    classNames,
    train,
    validation,
    badRecords: () => fitSummary(schema, config),
  };
}

/** Every pass reads the same rows, so the fitting pass's bad-record count holds for each of them. */
function fitSummary(schema: Schema, config: TrainConfig): string | null {
  const { rowsRead, rowsSkipped } = schema.fit;
  if (rowsSkipped === 0) return null;
  const what = config.onBadRecord === "quarantine" ? `quarantined to ${config.rejects}` : "skipped";
  return `Bad records: ${rowsSkipped} of ${rowsRead} rows ${what} in every pass`;
}

/**
 * Opens rows to evaluate (`withLabel`) or predict with a run's saved schema and CSV format.
 * `onBadRecord` defaults to the run's policy (quarantine scores as skip: no rejects file here).
 */
export async function openScoringData(
  config: TrainConfig,
  savedSchema: unknown,
  data: string,
  options: { withLabel: boolean; onBadRecord?: "error" | "skip"; onReject?: (rejected: RejectedRow) => void },
): Promise<ScoringData> {
  const schema = parseSchema(savedSchema);
  const { task, classNames } = taskOf(schema, config.task, data);
  const onBadRecord = options.onBadRecord ?? (config.onBadRecord === "error" ? "error" : "skip");
  const source = await streamDataSource(await formatOf(config, data), {
    paths: data,
    schema,
    ...csvFormat(config),
    requireLabel: options.withLabel,
    onBadRecord,
    ...(options.onReject ? { onReject: options.onReject } : {}),
  });
  return {
    source,
    numFeatures: schema.numFeatures,
    task,
    classNames,
    onBadRecord,
    badRecords: summaryOf([source]),
    outOfVocabulary: () => ({ ...source.summary().unseenCategories }),
  };
}

/** Values of one column of `files`, looked up by data row index in increasing order (bounded memory). */
export function idColumn(
  config: TrainConfig,
  files: string[],
  column: string,
): { at(row: number): Promise<string>; close(): Promise<void> } {
  const data = files.join(", ");
  const given = config.format ?? "auto";
  const format = given !== "auto" ? given : (formatOfName(files[0] ?? "") ?? "csv");
  const rows = readRows(format, files, csvFormat(config))[Symbol.asyncIterator]();
  return {
    async at(row: number): Promise<string> {
      for (;;) {
        const next = await rows.next();
        if (next.done) throw new UsageError(`--id ${column}: ${data} ended before data row ${row}`);
        if (next.value.ref.index !== row) continue;
        const position = next.value.info.columns.indexOf(column);
        if (position < 0) {
          throw new UsageError(
            `--id ${column}: no such column in ${next.value.info.file} (columns: ${next.value.info.columns.join(", ")})`,
          );
        }
        return next.value.fields[position] ?? "";
      }
    },
    async close() {
      await rows.return?.(undefined);
    },
  };
}
