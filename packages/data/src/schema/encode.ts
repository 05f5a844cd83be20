/**
 * Record → model input, identical at training, evaluation and prediction time.
 * - numeric: `(value - shift) / scale` with (mean, std) for `standard`, (min, max - min) for
 *   `minmax`; a zero spread divides by 1, so a constant column encodes as 0;
 * - categorical, `one-hot`: one input per vocabulary value plus the out-of-vocabulary (OOV)
 *   bucket, the last input. A value outside the vocabulary (unseen in training, rarer than
 *   minFrequency, beyond maxCategories) sets the OOV input and is counted per column in `unseen`,
 *   never dropped and never an error: new categories are normal at prediction time. (Version-1
 *   schemas have no OOV input: such a value encodes as all zeros, counted the same way.);
 * - categorical, `embedding`: one input, the index 0 (OOV, counted in `unseen`) or 1 + the
 *   value's vocabulary position; `hashed`: one input, the value's bucket (`hashBucket`);
 * - date: its parts (dates.ts), the year normalized like a numeric column; a value that is not an
 *   ISO date is a bad record;
 * - missing fields take the column default, else the record is bad (see values.ts for numbers);
 * - label: the value (regression), the class index (integer classes, must be < numClasses), or
 *   the vocabulary index (string classes; an unknown class is a bad record).
 */
import { columnProblem, DataError, listForMessage, type RowProblem, showValue } from "../errors.ts";
import { type DateValue, datePart, parseIsoDate } from "./dates.ts";
import { badLabel, withLabelPrefix } from "./fit.ts";
import { hashBucket } from "./hash.ts";
import { type DatePart, featureWidth, type Label, type NumericStats, type Schema } from "./types.ts";
import { expectedNumber, FLOAT32_MAX, isMissing, parseNumber } from "./values.ts";

/** One feature's place in the output and how it is computed; `offset` counts from a sample's first value. */
export type Slot =
  | { kind: "numeric"; name: string; offset: number; shift: number; scale: number; fallback: number | null }
  | {
      kind: "categorical";
      name: string;
      offset: number;
      width: number;
      lookup: Map<string, number>;
      /** One-hot position of a missing field (-1: none, all zeros); null = no default. */
      fallback: number | null;
      /** One-hot position of the OOV bucket; -1 in version-1 schemas (all zeros). */
      oov: number;
    }
  | {
      /** One integer input: an embedding index (`lookup`, 0 = OOV) or a hash bucket (`buckets`). */
      kind: "index";
      name: string;
      offset: number;
      lookup: Map<string, number> | null;
      buckets: number;
      fallback: number | null;
    }
  | {
      kind: "date";
      name: string;
      offset: number;
      parts: DatePart[];
      shift: number;
      scale: number;
      fallback: null;
    };

function scaling(
  stats: NumericStats,
  normalization: Schema["normalization"],
): { shift: number; scale: number } {
  const { mean, std, min, max } = stats;
  if (normalization === "standard") return { shift: mean, scale: std > 0 ? std : 1 };
  if (normalization === "minmax") return { shift: min, scale: max > min ? max - min : 1 };
  return { shift: 0, scale: 1 };
}

/** What a bound encoder does with each column of the file: read by the byte-level line encoder. */
export interface EncoderPlan {
  /** Fields per record of the bound file. */
  numColumns: number;
  numFeatures: number;
  slots: readonly Slot[];
  /** File column of each slot. */
  positions: Int32Array;
  label: Label | null;
  /** File column of the label, -1 when records carry none (labels are then NaN). */
  labelPosition: number;
  labelLookup: ReadonlyMap<string, number> | null;
}

export interface EncoderOptions {
  /** Whether records must carry the label. Default: true when the schema has one. Without it, labels are NaN. */
  requireLabel?: boolean;
  /** Map to count unseen categories into, e.g. one shared by every pass of a source. */
  unseen?: Map<string, number>;
}

/** Encodes records of one schema into `Float32Array` features and a numeric label. */
export class SchemaEncoder {
  readonly numFeatures: number;
  /** Per categorical column: values outside the vocabulary (encoded as its OOV bucket). */
  readonly unseen: Map<string, number>;
  /** Columns the last successful `encode` counted in `unseen` (for callers that apply counts later, in order). */
  readonly lastUnseen: string[] = [];
  private readonly slots: Slot[];
  private readonly positions: Int32Array;
  private readonly label: Label | null;
  private readonly labelLookup: Map<string, number> | null;
  private readonly requireLabel: boolean;
  private labelPosition = -1;
  private numColumns = -1;
  private readonly pendingUnseen: number[] = [];

  constructor(schema: Schema, options: EncoderOptions = {}) {
    this.numFeatures = schema.numFeatures;
    this.label = schema.label;
    this.requireLabel = options.requireLabel ?? schema.label !== null;
    this.unseen = options.unseen ?? new Map();
    let offset = 0;
    this.slots = schema.features.map((feature): Slot => {
      const at = offset;
      offset += featureWidth(feature);
      const { name } = feature;
      if (feature.kind === "numeric") {
        const { shift, scale } = scaling(feature.stats, schema.normalization);
        return { kind: "numeric", name, offset: at, shift, scale, fallback: feature.default };
      }
      if (feature.kind === "date") {
        const { shift, scale } = scaling(feature.year, schema.normalization);
        return { kind: "date", name, offset: at, parts: feature.parts, shift, scale, fallback: null };
      }
      if (feature.encoding === "hashed") {
        const buckets = feature.buckets as number;
        const fallback = feature.default === null ? null : hashBucket(feature.default, buckets);
        return { kind: "index", name, offset: at, lookup: null, buckets, fallback };
      }
      if (feature.encoding === "embedding") {
        const lookup = new Map(feature.vocabulary.map((value, i) => [value, i + 1]));
        const fallback = feature.default === null ? null : (lookup.get(feature.default) ?? 0);
        return { kind: "index", name, offset: at, lookup, buckets: 0, fallback };
      }
      const lookup = new Map(feature.vocabulary.map((value, i) => [value, i]));
      const oov = feature.oovInput === false ? -1 : feature.vocabulary.length;
      const fallback = feature.default === null ? null : (lookup.get(feature.default) ?? oov);
      return { kind: "categorical", name, offset: at, width: featureWidth(feature), lookup, fallback, oov };
    });
    this.positions = new Int32Array(this.slots.length);
    this.labelLookup =
      schema.label?.kind === "string-classes" ? new Map(schema.label.vocabulary.map((v, i) => [v, i])) : null;
  }

  /** Maps names to a file's columns. Throws `DataError` (missing-column) when a needed column is absent. */
  bind(
    columns: readonly string[],
    where: { file: string | null; line: number | null } = { file: null, line: null },
  ): void {
    const index = new Map(columns.map((name, i) => [name, i]));
    this.numColumns = columns.length;
    const missing = (role: string, name: string) =>
      new DataError({
        code: "missing-column",
        ...where,
        column: name,
        reason: `${role} column ${JSON.stringify(name)} is not in the header (columns: ${columns.join(", ")})`,
      });
    this.slots.forEach((slot, i) => {
      const at = index.get(slot.name);
      if (at === undefined) throw missing("feature", slot.name);
      this.positions[i] = at;
    });
    this.labelPosition = -1;
    if (this.label !== null) {
      const at = index.get(this.label.name);
      if (at === undefined && this.requireLabel) throw missing("label", this.label.name);
      this.labelPosition = at ?? -1;
    }
  }

  /** The bound column layout; throws before `bind`. */
  plan(): EncoderPlan {
    if (this.numColumns < 0) throw new Error("SchemaEncoder.plan() needs bind() first");
    return {
      numColumns: this.numColumns,
      numFeatures: this.numFeatures,
      slots: this.slots,
      positions: this.positions,
      label: this.label,
      labelPosition: this.labelPosition,
      labelLookup: this.labelLookup,
    };
  }

  /**
   * Writes the features into `out[base, base + numFeatures)` and returns the label, or why the
   * record is bad (then that range may hold partial values).
   */
  encode(fields: readonly string[], out: Float32Array, base = 0): number | RowProblem {
    this.pendingUnseen.length = 0;
    this.lastUnseen.length = 0;
    for (let i = 0; i < this.slots.length; i++) {
      const slot = this.slots[i] as Slot;
      const position = this.positions[i] as number;
      const text = fields[position] as string;
      const missing = isMissing(text);
      if (missing && slot.fallback === null)
        return columnProblem("missing-value", slot.name, position + 1, "is empty and has no default");
      if (slot.kind === "numeric") {
        const value = missing ? (slot.fallback as number) : parseNumber(text);
        if (Number.isNaN(value))
          return columnProblem(
            "bad-number",
            slot.name,
            position + 1,
            `${expectedNumber(text)}, got ${showValue(text)}`,
          );
        const x = (value - slot.shift) / slot.scale;
        if (!(Math.abs(x) <= FLOAT32_MAX))
          return columnProblem(
            "bad-number",
            slot.name,
            position + 1,
            `normalizes outside float32 range, got ${showValue(text)}`,
          );
        out[base + slot.offset] = x;
        continue;
      }
      if (slot.kind === "date") {
        const date = parseIsoDate(text);
        if (date === null)
          return columnProblem(
            "bad-date",
            slot.name,
            position + 1,
            `expected an ISO date or timestamp (YYYY-MM-DD, YYYY-MM-DDTHH:MM[:SS][Z]), got ${showValue(text)}`,
          );
        writeDate(slot, date, out, base + slot.offset);
        continue;
      }
      if (slot.kind === "index") {
        if (missing) out[base + slot.offset] = slot.fallback as number;
        else if (slot.lookup === null) out[base + slot.offset] = hashBucket(text, slot.buckets);
        else {
          const index = slot.lookup.get(text);
          out[base + slot.offset] = index ?? 0;
          if (index === undefined) this.pendingUnseen.push(i);
        }
        continue;
      }
      out.fill(0, base + slot.offset, base + slot.offset + slot.width);
      let hot = missing ? (slot.fallback as number) : (slot.lookup.get(text) ?? -1);
      if (hot < 0 && !missing) {
        this.pendingUnseen.push(i);
        hot = slot.oov;
      }
      if (hot >= 0) out[base + slot.offset + hot] = 1;
    }
    const label = this.encodeLabel(fields);
    if (typeof label !== "number") return label;
    for (const i of this.pendingUnseen) {
      const name = (this.slots[i] as Slot).name;
      this.unseen.set(name, (this.unseen.get(name) ?? 0) + 1);
      this.lastUnseen.push(name);
    }
    return label;
  }

  private encodeLabel(fields: readonly string[]): number | RowProblem {
    const label = this.label;
    if (label === null || this.labelPosition < 0) return Number.NaN;
    const text = fields[this.labelPosition] as string;
    const number = this.labelPosition + 1;
    if (isMissing(text))
      return withLabelPrefix(columnProblem("missing-label", label.name, number, "is empty"));
    if (label.kind === "string-classes") {
      const index = (this.labelLookup as Map<string, number>).get(text);
      return (
        index ?? badLabel(label.name, number, `expected one of ${listForMessage(label.vocabulary)}`, text)
      );
    }
    const value = parseNumber(text);
    if (label.kind === "regression")
      return Number.isNaN(value) ? badLabel(label.name, number, expectedNumber(text), text) : value;
    if (!Number.isInteger(value) || value < 0 || value >= label.numClasses) {
      return badLabel(label.name, number, `expected a class index in [0, ${label.numClasses})`, text);
    }
    return value;
  }
}

/** A date's parts into `out[at, at + parts.length)`. */
function writeDate(
  slot: Extract<Slot, { kind: "date" }>,
  date: DateValue,
  out: Float32Array,
  at: number,
): void {
  for (let p = 0; p < slot.parts.length; p++) {
    const part = slot.parts[p] as DatePart;
    const value = datePart(part, date);
    out[at + p] = part === "year" ? (value - slot.shift) / slot.scale : value;
  }
}
