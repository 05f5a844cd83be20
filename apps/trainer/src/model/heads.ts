// Loss, metric and the loss gradient of each task head, computed from the output layer's
// pre-activation values on the CPU side: B·units numbers per step, where tfjs would dispatch
// ~40 kernels for the loss, its gradient and the metric. The formulas are tfjs-layers' own
// (sparseCategoricalCrossentropy with its clip to [ε, 1-ε] and renormalisation,
// binaryCrossentropy through clipped logits, meanSquaredError; sparse categorical / binary
// accuracy, MAE), with their exact gradients, clipped regions included.
import type { Task } from "./build.ts";

const EPSILON = Math.fround(1e-7);
const ONE_MINUS_EPSILON = Math.fround(1 - 1e-7);

/** Batch means of the loss and the task's one metric (accuracy, or MAE for regression). */
export interface HeadValues {
  loss: number;
  metric: number;
}

function clip(x: number): number {
  return Math.min(Math.max(x, EPSILON), ONE_MINUS_EPSILON);
}

// tfjs's clipByValue passes the gradient where lo <= x <= hi (both ends included).
function inside(x: number): boolean {
  return x >= EPSILON && x <= ONE_MINUS_EPSILON;
}

/** The weight of a sample of class `label` (1 without class weights). */
function weightOf(classWeights: Float32Array | undefined, label: number): number {
  if (!classWeights) return 1;
  return classWeights[label] as number;
}

function softmaxCrossEntropy(
  z: Float32Array,
  labels: Float32Array,
  batchSize: number,
  units: number,
  dz: Float32Array,
  classWeights?: Float32Array,
): HeadValues {
  const p = new Float64Array(units);
  const g0 = new Float64Array(units);
  let lossSum = 0;
  let correct = 0;
  for (let b = 0; b < batchSize; b++) {
    const row = b * units;
    let max = Number.NEGATIVE_INFINITY;
    for (let k = 0; k < units; k++) max = Math.max(max, z[row + k] as number);
    let sum = 0;
    for (let k = 0; k < units; k++) {
      const e = Math.exp((z[row + k] as number) - max);
      p[k] = e;
      sum += e;
    }
    // Accuracy is the argmax of the float32 probabilities, as tfjs takes it: logits a few ulps
    // apart tie there, and the first index wins.
    let argMax = 0;
    let s = 0; // sum of the clipped probabilities (the loss renormalises by it)
    for (let k = 0; k < units; k++) {
      const pk = Math.fround((p[k] as number) / sum);
      p[k] = pk;
      if (pk > (p[argMax] as number)) argMax = k;
      s += clip(pk);
    }
    const y = Math.floor(labels[b] as number);
    if (!(y >= 0 && y < units))
      throw new RangeError(`label ${labels[b]} is not a class index below ${units}`);
    if (argMax === y) correct++;
    const py = clip(p[y] as number);
    const o2 = py / s;
    const o3 = clip(o2);
    const w = weightOf(classWeights, y);
    lossSum -= w * Math.log(o3);
    // Backward through -w·log(o3_y), the second clip, o1/s, the first clip and the softmax.
    const g2 = inside(o2) ? -w / o3 : 0;
    let dot = 0;
    for (let k = 0; k < units; k++) {
      const pk = p[k] as number;
      const g1 = (k === y ? g2 / s : 0) - (g2 * py) / (s * s);
      const g = inside(pk) ? g1 : 0;
      g0[k] = g;
      dot += g * pk;
    }
    for (let k = 0; k < units; k++) {
      dz[row + k] = ((p[k] as number) * ((g0[k] as number) - dot)) / batchSize;
    }
  }
  return { loss: lossSum / batchSize, metric: correct / batchSize };
}

function sigmoidCrossEntropy(
  z: Float32Array,
  labels: Float32Array,
  batchSize: number,
  dz: Float32Array,
  classWeights?: Float32Array,
): HeadValues {
  let lossSum = 0;
  let correct = 0;
  for (let b = 0; b < batchSize; b++) {
    const t = labels[b] as number;
    const p = Math.fround(1 / (1 + Math.exp(-(z[b] as number))));
    if ((p > 0.5 ? 1 : 0) === t) correct++;
    const y = clip(p);
    const x = Math.log(y / (1 - y));
    const w = weightOf(classWeights, t > 0.5 ? 1 : 0);
    lossSum += w * (Math.max(x, 0) - x * t + Math.log1p(Math.exp(-Math.abs(x))));
    // d/dx of the logistic loss is sigmoid(x) - t = y - t; back through log(y/(1-y)), the clip and the sigmoid.
    dz[b] = inside(p) ? (w * ((y - t) / (y * (1 - y))) * p * (1 - p)) / batchSize : 0;
  }
  return { loss: lossSum / batchSize, metric: correct / batchSize };
}

function squaredError(
  z: Float32Array,
  labels: Float32Array,
  batchSize: number,
  dz: Float32Array,
): HeadValues {
  let lossSum = 0;
  let absSum = 0;
  for (let b = 0; b < batchSize; b++) {
    const diff = (z[b] as number) - (labels[b] as number);
    lossSum += diff * diff;
    absSum += Math.abs(diff);
    dz[b] = (2 * diff) / batchSize;
  }
  return { loss: lossSum / batchSize, metric: absSum / batchSize };
}

/**
 * Loss and metric of one batch from the output layer's pre-activations `z` (`[B, units]`,
 * row-major), and dLoss/dz into `dz` (same layout). Classification: softmax + sparse
 * categorical cross-entropy + accuracy (labels are class indices); binary: sigmoid + binary
 * cross-entropy + accuracy at 0.5; regression: linear + mean squared error + MAE (units 1).
 * `classWeights` (classification and binary): each sample's loss times its class's weight,
 * summed over the batch and divided by its size (Keras's `class_weight`); the metric stays
 * unweighted.
 */
export function headStep(
  task: Task,
  z: Float32Array,
  labels: Float32Array,
  batchSize: number,
  units: number,
  dz: Float32Array,
  classWeights?: Float32Array,
): HeadValues {
  switch (task) {
    case "classification":
      return softmaxCrossEntropy(z, labels, batchSize, units, dz, classWeights);
    case "binary":
      return sigmoidCrossEntropy(z, labels, batchSize, dz, classWeights);
    case "regression":
      return squaredError(z, labels, batchSize, dz);
  }
}
