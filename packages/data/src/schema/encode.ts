/**
 * Record → model input, identical at training, evaluation and prediction time.
 * - numeric: `(value - shift) / scale` with (mean, std) for `standard`, (min, max - min) for
 *   `minmax`; a zero spread divides by 1, so a constant column encodes as 0;
 * - categorical: one-hot over the recorded vocabulary. A value outside it (unseen in training,
 *   or left out of a full vocabulary) encodes as all zeros and is counted per column in
 *   `unseen`, never dropped and never an error: new categories are normal at prediction time;
 * - missing fields take the column default, else the record is bad (see values.ts for numbers);
 * - label: the value (regression), the class index (integer classes, must be < numClasses), or
 *   the vocabulary index (string classes; an unknown class is a bad record).
 */
import { columnProblem, DataError, listForMessage, type RowProblem, showValue } from "../errors.ts";
import { badLabel, withLabelPrefix } from "./fit.ts";
import type { Label, NumericFeature, Schema } from "./types.ts";
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
      fallback: number | null;
    };

function scaling(
  feature: NumericFeature,
  normalization: Schema["normalization"],
): { shift: number; scale: number } {
  const { mean, std, min, max } = feature.stats;
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
  /** Per categorical column: values encoded as all zeros because they are outside the vocabulary. */
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
      if (feature.kind === "numeric") {
        offset += 1;
        return {
          kind: "numeric",
          name: feature.name,
          offset: at,
          ...scaling(feature, schema.normalization),
          fallback: feature.default,
        };
      }
      offset += feature.vocabulary.length;
      const lookup = new Map(feature.vocabulary.map((value, i) => [value, i]));
      const fallback = feature.default === null ? null : (lookup.get(feature.default) ?? -1);
      return {
        kind: "categorical",
        name: feature.name,
        offset: at,
        width: feature.vocabulary.length,
        lookup,
        fallback,
      };
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
      out.fill(0, base + slot.offset, base + slot.offset + slot.width);
      const hot = missing ? (slot.fallback as number) : (slot.lookup.get(text) ?? -1);
      if (hot >= 0) out[base + slot.offset + hot] = 1;
      else if (!missing) this.pendingUnseen.push(i);
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
