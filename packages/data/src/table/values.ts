import type { EncoderPlan, Slot } from "../schema/encode.ts";
import { FLOAT32_MAX } from "../schema/values.ts";
import { cellText } from "./cells.ts";

/** A number the reference path would read back unchanged from its text (`cellText` then `parseNumber`). */
const plainNumber = (value: unknown): value is number =>
  typeof value === "number" && Math.abs(value) <= FLOAT32_MAX;

/**
 * The fast path of typed formats (Parquet, Arrow): encodes a row straight from its column values
 * when every value the schema uses is a plain one (a finite number within float32 range for a
 * numeric feature or a numeric label, an in-vocabulary value for a categorical one), computing
 * exactly what `SchemaEncoder.encode` computes from the row's cells (`parseNumber(cellText(v))`
 * is `v` for such numbers, so the features are bit for bit the same; proven by a differential
 * test). Any other row (a missing value, text in a numeric column, an unseen category, a bad
 * label) returns null: the caller then encodes it through the reference path, which counts and
 * reports it.
 */
export class ValueEncoder {
  constructor(private readonly plan: EncoderPlan) {}

  /** Features of row `r` into `out[base, base + numFeatures)` and its label, or null for the reference path. */
  encode(values: readonly ArrayLike<unknown>[], r: number, out: Float32Array, base: number): number | null {
    const { slots, positions } = this.plan;
    for (let i = 0; i < slots.length; i++) {
      const slot = slots[i] as Slot;
      const value = (values[positions[i] as number] as ArrayLike<unknown>)[r];
      if (slot.kind === "numeric") {
        if (!plainNumber(value)) return null;
        const x = (value - slot.shift) / slot.scale;
        if (!(Math.abs(x) <= FLOAT32_MAX)) return null;
        out[base + slot.offset] = x;
        continue;
      }
      // Embedding indices, hash buckets and dates take the reference path.
      if (slot.kind !== "categorical" || value === null || value === undefined) return null;
      const hot = slot.lookup.get(cellText(value));
      if (hot === undefined) return null;
      out.fill(0, base + slot.offset, base + slot.offset + slot.width);
      out[base + slot.offset + hot] = 1;
    }
    return this.label(values, r);
  }

  private label(values: readonly ArrayLike<unknown>[], r: number): number | null {
    const { label, labelPosition, labelLookup } = this.plan;
    if (label === null || labelPosition < 0) return Number.NaN;
    const value = (values[labelPosition] as ArrayLike<unknown>)[r];
    if (label.kind === "string-classes") {
      if (value === null || value === undefined) return null;
      return (labelLookup as ReadonlyMap<string, number>).get(cellText(value)) ?? null;
    }
    if (!plainNumber(value)) return null;
    if (label.kind === "regression") return value;
    return Number.isInteger(value) && value >= 0 && value < label.numClasses ? value : null;
  }
}
