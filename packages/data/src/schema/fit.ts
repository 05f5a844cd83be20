import { columnProblem, DataError, listForMessage, type RowProblem, showValue } from "../errors.ts";
import { ClassTally, MAX_CLASS_INDEX } from "./classes.ts";
import { datePartsFor, parseIsoDate } from "./dates.ts";
import type { DraftFeature, SchemaDraft } from "./infer.ts";
import { DISTINCT_LIMIT } from "./kinds.ts";
import { type Feature, featureWidth, type Label, type NumericStats, type Schema } from "./types.ts";
import { expectedNumber, isMissing, parseNumber } from "./values.ts";
import { vocabularyFeature } from "./vocabulary.ts";

/** Welford's streaming mean and variance: one pass, numerically stable, O(1) memory. */
class Moments {
  count = 0;
  mean = 0;
  m2 = 0;
  min = Number.POSITIVE_INFINITY;
  max = Number.NEGATIVE_INFINITY;

  add(x: number): void {
    this.count++;
    const delta = x - this.mean;
    this.mean += delta / this.count;
    this.m2 += delta * (x - this.mean);
    if (x < this.min) this.min = x;
    if (x > this.max) this.max = x;
  }

  stats(): NumericStats {
    if (this.count === 0) return { count: 0, mean: 0, std: 0, min: 0, max: 0 };
    return {
      count: this.count,
      mean: this.mean,
      std: Math.sqrt(this.m2 / this.count),
      min: this.min,
      max: this.max,
    };
  }
}

interface Column {
  draft: DraftFeature;
  /** Numeric values, or the fractional years of a date column. */
  moments: Moments | null;
  /** Categorical: fitted rows per value, at most `DISTINCT_LIMIT` values. */
  counts: Map<string, number> | null;
  /** Categorical: a value came beyond `DISTINCT_LIMIT` (the column is then hashed). */
  overflow: boolean;
}

/** Which usable samples feed the statistics: `position` is the 0-based usable-sample number of the pass. */
export type IncludeSample = (position: number) => boolean;

/**
 * Gathers a schema's statistics in one streaming pass: numeric moments (Welford), the frequency
 * of every categorical value (vocabularies are cut from them at the end, see vocabulary.ts), the
 * years of date columns and label classes. A row is
 * checked completely before any of it is counted, so a bad row leaves no trace in the stats.
 * A usable sample that `include` leaves out is counted as used but feeds nothing except the
 * label classes (every class must stay encodable; see ClassTally).
 */
export class SchemaFitter {
  private readonly columns: Column[];
  private readonly positions: Int32Array;
  private labelPosition = -1;
  private readonly labelMoments = new Moments();
  private readonly labelClasses = new ClassTally();
  private labelText = "";
  private labelValue = 0;
  private readonly values: Float64Array;
  private readonly texts: (string | null)[];
  /** Usable samples so far (fitted or not); the position of the next one. */
  rowsUsed = 0;
  /** Usable samples that fed the statistics. */
  samplesFitted = 0;

  constructor(private readonly draft: SchemaDraft) {
    this.columns = draft.features.map((feature) => ({
      draft: feature,
      moments: feature.kind === "categorical" ? null : new Moments(),
      counts: feature.kind === "categorical" ? new Map<string, number>() : null,
      overflow: false,
    }));
    this.positions = new Int32Array(draft.features.length);
    this.values = new Float64Array(draft.features.length);
    this.texts = new Array(draft.features.length).fill(null);
  }

  /** Maps names to positions in a file's columns. Throws `DataError` (missing-column) naming the file. */
  bind(columns: readonly string[], where: { file: string | null; line: number | null }): void {
    const index = new Map(columns.map((name, i) => [name, i]));
    const find = (role: string, name: string): number => {
      const at = index.get(name);
      if (at === undefined) {
        throw new DataError({
          code: "missing-column",
          ...where,
          column: name,
          reason: `${role} column ${JSON.stringify(name)} is not in the header (columns: ${columns.join(", ")})`,
        });
      }
      return at;
    };
    this.columns.forEach((column, i) => {
      this.positions[i] = find("feature", column.draft.name);
    });
    if (this.draft.label !== null) this.labelPosition = find("label", this.draft.label.name);
  }

  /**
   * Counts one record into the statistics, or returns why it is bad (and counts nothing).
   * `include` is asked once per usable sample, in order, whether it feeds the statistics.
   * `parsed`: each field's `parseNumber` value by position, when the caller has it already.
   */
  add(fields: readonly string[], include?: IncludeSample, parsed?: Float64Array): RowProblem | null {
    for (let i = 0; i < this.columns.length; i++) {
      const { draft } = this.columns[i] as Column;
      const position = this.positions[i] as number;
      const text = fields[position] as string;
      this.texts[i] = null;
      if (isMissing(text)) {
        if (draft.default === null)
          return columnProblem("missing-value", draft.name, position + 1, "is empty and has no default");
        this.values[i] = Number.NaN;
        continue;
      }
      if (draft.kind === "categorical") {
        this.texts[i] = text;
        continue;
      }
      if (draft.kind === "date") {
        const date = parseIsoDate(text);
        if (date === null)
          return columnProblem(
            "bad-date",
            draft.name,
            position + 1,
            `expected an ISO date or timestamp (YYYY-MM-DD, YYYY-MM-DDTHH:MM[:SS][Z]), got ${showValue(text)}`,
          );
        this.values[i] = date.fractionalYear;
        continue;
      }
      const value = parsed === undefined ? parseNumber(text) : (parsed[position] as number);
      if (Number.isNaN(value))
        return columnProblem(
          "bad-number",
          draft.name,
          position + 1,
          `${expectedNumber(text)}, got ${showValue(text)}`,
        );
      this.values[i] = value;
    }
    const labelProblem = this.draft.label === null ? null : this.checkLabel(fields, parsed);
    if (labelProblem !== null) return labelProblem;
    const fitted = include === undefined || include(this.rowsUsed);
    this.rowsUsed++;
    if (this.draft.label !== null) this.countLabel(fitted);
    if (!fitted) return null;
    this.samplesFitted++;
    for (let i = 0; i < this.columns.length; i++) {
      const column = this.columns[i] as Column;
      const text = this.texts[i];
      if (column.moments !== null && !Number.isNaN(this.values[i] as number))
        column.moments.add(this.values[i] as number);
      const counts = column.counts;
      if (counts !== null && text !== null && text !== undefined) {
        const seen = counts.get(text);
        if (seen !== undefined) counts.set(text, seen + 1);
        else if (counts.size < DISTINCT_LIMIT) counts.set(text, 1);
        else column.overflow = true;
      }
    }
    return null;
  }

  /** Checks the label and keeps its text and value for `countLabel`. */
  private checkLabel(fields: readonly string[], parsed: Float64Array | undefined): RowProblem | null {
    const label = this.draft.label as NonNullable<SchemaDraft["label"]>;
    const text = fields[this.labelPosition] as string;
    const number = this.labelPosition + 1;
    if (isMissing(text))
      return withLabelPrefix(columnProblem("missing-label", label.name, number, "is empty"));
    this.labelText = text;
    if (label.kind === "string-classes") return null;
    const value = parsed === undefined ? parseNumber(text) : (parsed[this.labelPosition] as number);
    this.labelValue = value;
    if (label.kind === "regression") {
      return Number.isNaN(value) ? badLabel(label.name, number, expectedNumber(text), text) : null;
    }
    if (!Number.isInteger(value) || value < 0 || value > MAX_CLASS_INDEX) {
      return badLabel(label.name, number, "expected a class index (an integer from 0)", text);
    }
    return null;
  }

  private countLabel(fitted: boolean): void {
    const kind = (this.draft.label as NonNullable<SchemaDraft["label"]>).kind;
    if (kind === "string-classes") this.labelClasses.addName(this.labelText, fitted);
    else if (kind === "integer-classes") this.labelClasses.addIndex(this.labelValue, fitted);
    else if (fitted) this.labelMoments.add(this.labelValue);
  }

  /**
   * The finished schema; `counts` describe the pass the statistics came from. `decided`: the
   * draft of the whole data when it was decided after fitting began (same features and label as
   * the fitter's; its ignored columns, notes and row count are the ones reported).
   */
  finish(counts: { rowsRead: number; rowsSkipped: number }, decided: SchemaDraft = this.draft): Schema {
    const notes = [...decided.notes];
    const features: Feature[] = this.columns.map(({ draft, moments, counts, overflow }): Feature => {
      if (draft.kind === "date") {
        const year = (moments as Moments).stats();
        const parts = datePartsFor(this.draft.dateFeatures, draft.hasTime === true);
        return { name: draft.name, kind: "date", parts, default: null, year };
      }
      if (moments !== null) {
        const stats = moments.stats();
        if (stats.count === 0)
          notes.push(`column ${JSON.stringify(draft.name)} has no values: it is always its default`);
        const fallback = draft.default === "mean" ? stats.mean : (draft.default as number | null);
        return { name: draft.name, kind: "numeric", default: fallback, stats };
      }
      const { feature, note } = vocabularyFeature(
        draft.name,
        draft.default as string | null,
        counts as Map<string, number>,
        overflow,
        this.draft.categories,
      );
      if (note !== null) notes.push(note);
      return feature;
    });
    let label: Label | null = null;
    if (this.draft.label !== null) {
      const { name, kind } = this.draft.label;
      if (kind === "regression") label = { name, kind, stats: this.labelMoments.stats() };
      else if (kind === "integer-classes")
        label = {
          name,
          kind,
          numClasses: this.labelClasses.numClasses(),
          counts: this.labelClasses.counts(),
        };
      else
        label = {
          name,
          kind,
          vocabulary: this.labelClasses.vocabulary(),
          counts: this.labelClasses.counts(),
        };
      const unfitted = this.labelClasses.unfitted();
      if (unfitted.length > 0) {
        notes.push(
          `label ${JSON.stringify(name)}: classes ${listForMessage(unfitted)} occur only in samples left out of fitting ` +
            "(e.g. validation): they stay classes of the model, which never trains on them",
        );
      }
    }
    const numFeatures = features.reduce((sum, f) => sum + featureWidth(f), 0);
    return {
      version: 2,
      columns: [...decided.columns],
      features,
      label,
      ignored: decided.ignored.map((c) => ({ ...c })),
      normalization: this.draft.normalization,
      numFeatures,
      fit: {
        rowsRead: counts.rowsRead,
        rowsUsed: this.rowsUsed,
        rowsSkipped: counts.rowsSkipped,
        sampleRows: decided.sampleRows,
        samplesFitted: this.samplesFitted,
      },
      notes,
    };
  }
}

/** A bad label value: `label column 3 "y" <what>, got "<text>"`. */
export function badLabel(name: string, columnNumber: number, what: string, text: string): RowProblem {
  return withLabelPrefix(columnProblem("bad-label", name, columnNumber, `${what}, got ${showValue(text)}`));
}

/** Label problems say "label column …" so the message tells which role the column plays. */
export function withLabelPrefix(problem: RowProblem): RowProblem {
  return { ...problem, reason: `label ${problem.reason}` };
}
