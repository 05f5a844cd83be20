/**
 * Column kinds from a sample of rows. Rules, in order, for each non-label column:
 * 1. listed in `ignore`, or a `features` list is given and does not name it → ignored;
 * 2. listed in `numeric` / `categorical` → that kind;
 * 3. no values in the sample → ignored;
 * 4. every value a number → numeric, except a row counter (≥ 20 consecutive integers) → ignored;
 * 5. every value a date or time → ignored (dates need feature engineering first);
 * 6. at most `maxCategories` distinct values, each seen twice on average → categorical;
 * 7. otherwise free text or ids → ignored.
 * A column named in `features` that rules 3–7 would ignore is an error rather than a surprise,
 * except a row counter, which becomes numeric. The label is `integer-classes` when every value
 * is an integer ≥ 0 with at most `maxCategories` distinct values, `regression` for other
 * numbers, `string-classes` otherwise.
 */
import { DataError } from "../errors.ts";
import {
  type IgnoredColumn,
  LABEL_KINDS,
  type LabelKind,
  NORMALIZATIONS,
  type Normalization,
  type SchemaOptions,
} from "./types.ts";
import { isMissing, parseNumber } from "./values.ts";

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
  sampleRows: number;
  notes: string[];
}

/** Consecutive integers this long are a row counter, not a measurement (fewer prove nothing). */
const ROW_COUNTER_MIN = 20;

interface Profile {
  present: number;
  numbers: number;
  nonNegativeIntegers: number;
  consecutive: boolean;
  dates: number;
  distinct: Set<string>;
}

const DATE =
  /^(\d{4}-\d{1,2}-\d{1,2}([T ]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?|\d{1,2}[/.]\d{1,2}[/.]\d{2,4}|\d{1,2}:\d{2}(:\d{2})?)$/;

function profile(sample: readonly (readonly string[])[], index: number): Profile {
  const p: Profile = {
    present: 0,
    numbers: 0,
    nonNegativeIntegers: 0,
    consecutive: true,
    dates: 0,
    distinct: new Set(),
  };
  let previous: number | null = null;
  for (const row of sample) {
    const text = row[index] as string;
    if (isMissing(text)) continue;
    p.present++;
    p.distinct.add(text);
    const value = parseNumber(text);
    if (Number.isNaN(value)) {
      p.consecutive = false;
      if (DATE.test(text.trim())) p.dates++;
      continue;
    }
    p.numbers++;
    if (Number.isInteger(value) && value >= 0) p.nonNegativeIntegers++;
    if (previous !== null && value !== previous + 1) p.consecutive = false;
    previous = value;
  }
  return p;
}

type Verdict =
  | { kind: "numeric" | "categorical" }
  | { kind: "ignored"; reason: string; rowCounter?: boolean };

function judge(p: Profile, maxCategories: number, sampleRows: number): Verdict {
  if (p.present === 0) return { kind: "ignored", reason: `no values in the first ${sampleRows} rows` };
  if (p.numbers === p.present) {
    if (p.present >= ROW_COUNTER_MIN && p.consecutive) {
      return { kind: "ignored", reason: "row counter (consecutive integers)", rowCounter: true };
    }
    return { kind: "numeric" };
  }
  if (p.dates === p.present) return { kind: "ignored", reason: "dates or times" };
  if (p.distinct.size <= maxCategories && p.distinct.size * 2 <= p.present) return { kind: "categorical" };
  return {
    kind: "ignored",
    reason: `free text or ids (${p.distinct.size} distinct values in ${p.present} rows)`,
  };
}

function labelKind(p: Profile, maxCategories: number): LabelKind {
  if (p.numbers < p.present) return "string-classes";
  return p.nonNegativeIntegers === p.present && p.distinct.size <= maxCategories
    ? "integer-classes"
    : "regression";
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
 * Decides every column's role from `sample` (rows aligned with `columns`) and the overrides.
 * Throws `DataError`: `missing-column` for names not in the header, `options` for
 * contradictions or a listed feature that cannot be encoded.
 */
export function draftSchema(
  columns: readonly string[],
  sample: readonly (readonly string[])[],
  options: SchemaOptions = {},
  where: { file: string | null; line: number | null } = { file: null, line: null },
): SchemaDraft {
  checkNames(columns, options, where);
  const maxCategories = positiveInteger("maxCategories", options.maxCategories ?? 20);
  const sampleRows = positiveInteger("sampleRows", options.sampleRows ?? 1000);
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
  const profileOf = (name: string) => profile(sample, index.get(name) as number);
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
    const verdict = judge(profileOf(name), maxCategories, sampleRows);
    if (verdict.kind === "ignored" && listed !== null && !verdict.rowCounter) {
      throw optionsError(
        `feature ${JSON.stringify(name)} cannot be encoded as inferred: ${verdict.reason}; ` +
          "list it in categorical or numeric to force a kind, or leave it out",
      );
    }
    if (verdict.kind === "ignored" && listed === null) ignored.push({ name, reason: verdict.reason });
    else
      features.push({
        name,
        kind: verdict.kind === "categorical" ? "categorical" : "numeric",
        default: fallback,
      });
  }
  for (const feature of features) checkDefault(feature);
  for (const name of Object.keys(options.defaults ?? {})) {
    if (!features.some((f) => f.name === name))
      throw optionsError(`default given for ${JSON.stringify(name)}, which is not a feature`);
  }
  let labelDraft: SchemaDraft["label"] = null;
  if (label !== null) {
    const p = profileOf(label);
    if (p.present === 0 && options.labelKind === undefined) {
      throw new DataError({
        code: "missing-label",
        ...where,
        column: label,
        reason: `label column ${JSON.stringify(label)} has no values in the first ${sampleRows} rows`,
      });
    }
    labelDraft = { name: label, kind: options.labelKind ?? labelKind(p, maxCategories) };
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
    sampleRows: sample.length,
    notes: [],
  };
}
