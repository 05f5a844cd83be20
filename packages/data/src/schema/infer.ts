/**
 * Column roles and kinds from the tallies of every row (see `kinds.ts` for the rules and what
 * "a few" bad values in a numeric column means). For each non-label column:
 * 1. listed in `ignore`, or a `features` list is given and does not name it → ignored;
 * 2. listed in `numeric` / `categorical` → that kind;
 * 3. otherwise `decideKind`.
 * A column named in `features` that `decideKind` would ignore is an error rather than a surprise
 * (a named column is never dropped), except a row counter, which becomes numeric.
 */
import { DataError } from "../errors.ts";
import { type ColumnTally, decideKind, decideLabelKind, type KindTally, otherValuesNote } from "./kinds.ts";
import {
  type IgnoredColumn,
  LABEL_KINDS,
  type LabelKind,
  NORMALIZATIONS,
  type Normalization,
  type SchemaOptions,
} from "./types.ts";

export interface DraftFeature {
  name: string;
  kind: "numeric" | "categorical";
  default: number | string | null;
}

/** Kinds decided, statistics not yet gathered: the input of `SchemaFitter`. */
export interface SchemaDraft {
  columns: string[];
  features: DraftFeature[];
  label: { name: string; kind: LabelKind } | null;
  ignored: IgnoredColumn[];
  normalization: Normalization;
  maxCategories: number;
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
  const maxCategories = positiveInteger("maxCategories", options.maxCategories ?? 20);
  positiveInteger("sampleRows", options.sampleRows ?? 1000);
  if (tally.maxDistinct <= maxCategories)
    throw new RangeError("the tally must keep more distinct values than maxCategories");
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
    const verdict = decideKind(tallyOf(name), maxCategories);
    if (verdict.kind === "ignored" && listed !== null && !verdict.rowCounter) {
      throw optionsError(
        `feature ${JSON.stringify(name)} cannot be encoded as inferred: ${verdict.reason}; ` +
          "list it in categorical or numeric to force a kind, or leave it out",
      );
    }
    if (verdict.kind === "ignored" && listed === null) ignored.push({ name, reason: verdict.reason });
    else {
      const kind = verdict.kind === "categorical" ? "categorical" : "numeric";
      features.push({ name, kind, default: fallback });
      const note = kind === "numeric" ? otherValuesNote(name, tallyOf(name), "column") : null;
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
    labelDraft = { name: label, kind: options.labelKind ?? decideLabelKind(p, maxCategories) };
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
    maxCategories,
    sampleRows: tally.rows,
    notes,
  };
}
