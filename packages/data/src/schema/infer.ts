/**
 * Column roles and kinds from the tallies of every row (see `kinds.ts` for the rules and what
 * "a few" bad values in a numeric column means). For each non-label column:
 * 1. listed in `ignore`, or a `features` list is given and does not name it → ignored;
 * 2. listed in `numeric` / `categorical` → that kind;
 * 3. otherwise `decideKind`.
 * A column named in `features` is never dropped: one `decideKind` would ignore becomes categorical
 * (hashed when it has too many values to count), a row counter numeric; only a column without
 * any value is an error. Date columns become date features unless `dateFeatures` is `none`.
 */
import { DataError } from "../errors.ts";
import { type ColumnTally, decideKind, decideLabelKind, type KindTally, otherValuesNote } from "./kinds.ts";
import {
  DATE_FEATURES,
  type DateFeatures,
  type IgnoredColumn,
  LABEL_KINDS,
  type LabelKind,
  NORMALIZATIONS,
  type Normalization,
  type SchemaOptions,
} from "./types.ts";

export interface DraftFeature {
  name: string;
  kind: "numeric" | "categorical" | "date";
  default: number | string | null;
  /** Date columns: whether some value has a time of day. */
  hasTime?: boolean;
}

/** How categorical vocabularies are cut and encoded (see `SchemaOptions`). */
export interface CategorySettings {
  /** Largest vocabulary per column name; `"*"` for the others (absent: `DISTINCT_LIMIT`). */
  maxCategories: Record<string, number>;
  minFrequency: number;
  maxOneHot: number;
  hashBuckets: number | null;
}

/** Kinds decided, statistics not yet gathered: the input of `SchemaFitter`. */
export interface SchemaDraft {
  columns: string[];
  features: DraftFeature[];
  label: { name: string; kind: LabelKind } | null;
  ignored: IgnoredColumn[];
  normalization: Normalization;
  categories: CategorySettings;
  dateFeatures: DateFeatures;
  /** Rows the kinds were decided from. */
  sampleRows: number;
  notes: string[];
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new DataError({
      code: "options",
      reason: `${name} must be a positive integer, got ${JSON.stringify(value)}`,
    });
  }
  return value;
}

function nonNegativeInteger(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new DataError({
      code: "options",
      reason: `${name} must be an integer ≥ 0, got ${JSON.stringify(value)}`,
    });
  }
  return value;
}

/** The checked category options; throws `DataError` (options) for a bad value (column names are checked with the header). */
export function categorySettings(options: SchemaOptions): CategorySettings {
  const given = options.maxCategories;
  const maxCategories: Record<string, number> = {};
  if (typeof given === "number") maxCategories["*"] = positiveInteger("maxCategories", given);
  else if (given !== undefined) {
    if (typeof given !== "object" || given === null || Array.isArray(given))
      throw optionsError(
        `maxCategories must be a positive integer or an object of them by column, got ${JSON.stringify(given)}`,
      );
    for (const [name, value] of Object.entries(given)) {
      maxCategories[name] = positiveInteger(`maxCategories for ${JSON.stringify(name)}`, value);
    }
  }
  return {
    maxCategories,
    minFrequency: positiveInteger("minFrequency", options.minFrequency ?? 1),
    maxOneHot: nonNegativeInteger("maxOneHot", options.maxOneHot ?? 16),
    hashBuckets:
      options.hashBuckets === undefined ? null : positiveInteger("hashBuckets", options.hashBuckets),
  };
}

function optionsError(reason: string): DataError {
  return new DataError({ code: "options", reason });
}

/** Throws `DataError` for names missing from the header (structural) and contradictory overrides. */
function checkNames(
  columns: readonly string[],
  options: SchemaOptions,
  where: { file: string | null; line: number | null },
) {
  const known = new Set(columns);
  const lists: [string, readonly string[]][] = [
    ["feature", options.features ?? []],
    ["categorical", options.categorical ?? []],
    ["numeric", options.numeric ?? []],
    ["ignore", options.ignore ?? []],
    ["defaults", Object.keys(options.defaults ?? {})],
  ];
  const limits = options.maxCategories;
  if (typeof limits === "object" && limits !== null && !Array.isArray(limits))
    lists.push(["maxCategories", Object.keys(limits).filter((name) => name !== "*")]);
  if (options.label != null) lists.unshift(["label", [options.label]]);
  for (const [role, names] of lists) {
    for (const name of names) {
      if (!known.has(name)) {
        throw new DataError({
          code: "missing-column",
          ...where,
          column: name,
          reason: `${role} column ${JSON.stringify(name)} is not in the header (columns: ${columns.join(", ")})`,
        });
      }
    }
  }
  const label = options.label ?? null;
  for (const [role, names] of lists.slice(label === null ? 0 : 1)) {
    if (label !== null && names.includes(label))
      throw optionsError(`label ${JSON.stringify(label)} is also listed in ${role}`);
  }
  const both = (a: readonly string[] = [], b: readonly string[] = []) => a.find((name) => b.includes(name));
  const clash = both(options.categorical, options.numeric) ?? both(options.features, options.ignore);
  if (clash !== undefined) throw optionsError(`column ${JSON.stringify(clash)} has contradictory overrides`);
}

function checkDefault(feature: DraftFeature): void {
  const value = feature.default;
  if (value === null) return;
  if (feature.kind === "date")
    throw optionsError(
      `date column ${JSON.stringify(feature.name)} takes no default (a missing date is a bad record)`,
    );
  const ok =
    feature.kind === "numeric"
      ? value === "mean" || (typeof value === "number" && Number.isFinite(value))
      : typeof value === "string";
  if (!ok) {
    const expected = feature.kind === "numeric" ? 'a finite number or "mean"' : "a string";
    throw optionsError(
      `default for ${feature.kind} column ${JSON.stringify(feature.name)} must be ${expected}, got ${JSON.stringify(value)}`,
    );
  }
}

/**
 * Decides every column's role from `tally` (of rows aligned with `columns`) and the overrides.
 * Throws `DataError`: `missing-column` for names not in the header, `options` for
 * contradictions or a listed feature that cannot be encoded.
 */
export function draftSchema(
  columns: readonly string[],
  tally: KindTally,
  options: SchemaOptions = {},
  where: { file: string | null; line: number | null } = { file: null, line: null },
): SchemaDraft {
  checkNames(columns, options, where);
  const categories = categorySettings(options);
  positiveInteger("sampleRows", options.sampleRows ?? 1000);
  const dateFeatures = options.dateFeatures ?? "cyclical";
  if (!DATE_FEATURES.includes(dateFeatures))
    throw optionsError(
      `dateFeatures must be one of ${DATE_FEATURES.join(", ")}, got ${JSON.stringify(dateFeatures)}`,
    );
  const normalization = options.normalization ?? "standard";
  if (!NORMALIZATIONS.includes(normalization))
    throw optionsError(
      `normalization must be one of ${NORMALIZATIONS.join(", ")}, got ${JSON.stringify(normalization)}`,
    );
  if (options.labelKind !== undefined && !LABEL_KINDS.includes(options.labelKind)) {
    throw optionsError(
      `labelKind must be one of ${LABEL_KINDS.join(", ")}, got ${JSON.stringify(options.labelKind)}`,
    );
  }
  const index = new Map(columns.map((name, i) => [name, i]));
  const tallyOf = (name: string) => tally.columns[index.get(name) as number] as ColumnTally;
  const notes: string[] = [];
  const listed = options.features ?? null;
  const label = options.label ?? null;
  const ignored: IgnoredColumn[] = [];
  const features: DraftFeature[] = [];
  const order = listed ?? columns.filter((name) => name !== label);
  for (const name of columns) {
    if (name === label) continue;
    if (options.ignore?.includes(name)) ignored.push({ name, reason: "listed in ignore" });
    else if (listed !== null && !listed.includes(name))
      ignored.push({ name, reason: "not in the features list" });
  }
  for (const name of order) {
    if (options.ignore?.includes(name)) continue;
    const fallback = options.defaults?.[name] ?? null;
    if (options.numeric?.includes(name) || options.categorical?.includes(name)) {
      const kind = options.numeric?.includes(name) ? "numeric" : "categorical";
      features.push({ name, kind, default: fallback });
      continue;
    }
    const t = tallyOf(name);
    const verdict = decideKind(t);
    if (verdict.kind === "ignored" && listed !== null && verdict.empty) {
      throw optionsError(
        `feature ${JSON.stringify(name)} cannot be encoded: ${verdict.reason}; leave it out or give it a default`,
      );
    }
    if (verdict.kind === "date" && dateFeatures === "none") {
      if (listed !== null)
        throw optionsError(`feature ${JSON.stringify(name)} is a date column and dateFeatures is none`);
      ignored.push({ name, reason: "dates (dateFeatures none)" });
    } else if (verdict.kind === "ignored" && listed === null) ignored.push({ name, reason: verdict.reason });
    else if (verdict.kind === "date") {
      features.push({ name, kind: "date", default: fallback, hasTime: t.withTime > 0 });
    } else {
      // A listed column decideKind would ignore is kept as categorical (a row counter as numeric).
      const kind =
        verdict.kind === "ignored" ? (verdict.rowCounter ? "numeric" : "categorical") : verdict.kind;
      features.push({ name, kind, default: fallback });
      if (verdict.kind === "ignored")
        notes.push(
          `column ${JSON.stringify(name)} is a listed feature though ${verdict.reason}: kept as ${kind}`,
        );
      const note = kind === "numeric" ? otherValuesNote(name, t, "column") : null;
      if (note !== null) notes.push(note);
    }
  }
  for (const feature of features) checkDefault(feature);
  for (const name of Object.keys(options.defaults ?? {})) {
    if (!features.some((f) => f.name === name))
      throw optionsError(`default given for ${JSON.stringify(name)}, which is not a feature`);
  }
  let labelDraft: SchemaDraft["label"] = null;
  if (label !== null) {
    const p = tallyOf(label);
    if (p.present === 0 && options.labelKind === undefined) {
      throw new DataError({
        code: "missing-label",
        ...where,
        column: label,
        reason: `label column ${JSON.stringify(label)} has no values in any row`,
      });
    }
    labelDraft = { name: label, kind: options.labelKind ?? decideLabelKind(p) };
    const note = labelDraft.kind === "string-classes" ? null : otherValuesNote(label, p, "label");
    if (note !== null) notes.push(note);
  }
  if (features.length === 0) throw optionsError("no feature columns: every column is the label or ignored");
  ignored.sort((a, b) => (index.get(a.name) as number) - (index.get(b.name) as number));
  return {
    columns: [...columns],
    features,
    label: labelDraft,
    ignored,
    normalization,
    categories,
    dateFeatures,
    sampleRows: tally.rows,
    notes,
  };
}
