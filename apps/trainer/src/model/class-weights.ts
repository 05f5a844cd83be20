import { UsageError } from "../errors.ts";
import type { Task } from "./build.ts";

/**
 * Per-class loss weights by class index from `--class-weight`: `balanced` gives class c the
 * weight n / (K · n_c) (scikit-learn's and Keras's convention: n training samples, K classes,
 * n_c of class c; a class without training samples gets 1, it never weighs a loss), pairs
 * (`0=1,1=4`, `setosa=2`) name classes by name or index, unnamed classes weigh 1.
 * `counts`: the schema label's fitted samples per class. Throws `UsageError` for a regression
 * task, an unknown class, or `balanced` without counts (a schema saved before it kept them).
 * @example
 * classWeights("balanced", "binary", ["no", "yes"], [90, 10]) // Float32Array [0.5556, 5]
 */
export function classWeights(
  spec: string,
  task: Task,
  classNames: readonly string[] | null,
  counts: readonly number[] | undefined,
): Float32Array {
  if (task === "regression" || classNames === null) {
    throw new UsageError(
      "--class-weight goes with a classification label; this label is a regression target",
    );
  }
  const k = classNames.length;
  if (spec === "balanced") {
    if (!counts || counts.length !== k) {
      throw new UsageError(
        "--class-weight balanced needs the label's class counts, which this run's schema.json does not record; give class=weight pairs",
      );
    }
    const n = counts.reduce((a, b) => a + b, 0);
    return Float32Array.from(counts, (count) => (count > 0 ? n / (k * count) : 1));
  }
  const weights = new Float32Array(k).fill(1);
  for (const pair of spec.split(",")) {
    const at = pair.lastIndexOf("=");
    const name = pair.slice(0, at);
    const weight = Number(pair.slice(at + 1));
    let index = classNames.indexOf(name);
    if (index < 0 && /^\d+$/.test(name) && Number(name) < k) index = Number(name);
    if (index < 0) {
      throw new UsageError(
        `--class-weight names class ${JSON.stringify(name)}, which the label does not have; its classes: ${classNames.map((c, i) => (c === String(i) ? c : `${i}=${c}`)).join(", ")}`,
      );
    }
    weights[index] = weight;
  }
  return weights;
}
