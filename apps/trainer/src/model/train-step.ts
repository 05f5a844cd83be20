import * as tf from "@tensorflow/tfjs";
import type { OptimizerName, TrainStepMode } from "../train/config.ts";
import { headFor, type Task } from "./build.ts";
import { denseLayersOf, denseParts } from "./dense-step.ts";
import { arrayOptimizerFor, FUSED_OPTIMIZERS, type OptimizerState } from "./optimizers.ts";
import {
  captureOptimizerState,
  decodeNamed,
  type EncodedWeights,
  encodeNamed,
  restoreOptimizerState,
} from "./state.ts";
import { applyTfjsGradients, tfjsGradients } from "./tfjs-gradients.ts";

/** How the trainer takes one optimizer step, and the optimizer state it checkpoints. */
export interface TrainStep {
  /** `dense`: fused Dense kernels + CPU-side loss and optimizer; `tfjs`: `model.trainOnBatch`. */
  readonly kind: "dense" | "tfjs";
  /** One line for the run's output: which step, and why not the fused one when it is not. */
  readonly description: string;
  /** tfjs's class name of the optimizer (`Adam`, `SGD`, `RMSProp`), recorded in checkpoints. */
  readonly optimizerClassName: string;
  /** One step on a batch; resolves to `[loss, ...metrics]` computed before the update. */
  train(xs: tf.Tensor, ys: tf.Tensor): Promise<number[]>;
  /**
   * `train` in two halves, for gradients combined across ranks in between: `[loss, ...metrics]`
   * and the gradients of the batch's mean loss (one array per trainable weight, in order).
   */
  gradients(xs: tf.Tensor, ys: tf.Tensor): Promise<{ values: number[]; gradients: Float32Array[] }>;
  /** Updates the weights with gradients laid out as `gradients` returns them. */
  applyGradients(gradients: Float32Array[]): Promise<void>;
  /** The optimizer state in tfjs's weights layout (interchangeable between the two kinds). */
  captureOptimizer(): Promise<EncodedWeights>;
  restoreOptimizer(state: EncodedWeights): Promise<void>;
}

function numbersOf(result: number | number[]): number[] {
  return Array.isArray(result) ? result : [result];
}

/**
 * The compiled model's own `trainOnBatch` and optimizer; with class weights (which
 * `trainOnBatch` does not take) the weighted loss's gradients, applied by that optimizer.
 */
function tfjsStep(model: tf.LayersModel, description: string, classWeights?: Float32Array): TrainStep {
  return {
    kind: "tfjs",
    description,
    optimizerClassName: model.optimizer.getClassName(),
    train: classWeights
      ? async (xs, ys) => {
          const { values, gradients } = await tfjsGradients(model, xs, ys, classWeights);
          applyTfjsGradients(model, gradients);
          return values;
        }
      : async (xs, ys) => numbersOf(await model.trainOnBatch(xs, ys)),
    gradients: (xs, ys) => tfjsGradients(model, xs, ys, classWeights),
    applyGradients: async (gradients) => applyTfjsGradients(model, gradients),
    captureOptimizer: () => captureOptimizerState(model.optimizer),
    restoreOptimizer: (state) => restoreOptimizerState(model.optimizer, state),
  };
}

// The state as tfjs lays out an optimizer's getWeights(): `iter`, the slots, then (Adam) the
// running products under the names captureOptimizerState gives them.
// Slots keep their variable's name and shape, so that tfjs's own optimizer can take them too.
function encodeState(
  state: OptimizerState,
  variables: readonly { name: string; shape: number[] }[],
): Promise<EncodedWeights> {
  const suffixes = state.name === "adam" ? ["m", "v"] : ["rms", "momentum"];
  const n = variables.length;
  const tensors = [
    { name: "iter", tensor: tf.scalar(state.iteration, "int32") },
    ...state.slots.map((slot, i) => {
      const variable = variables[i % n] as { name: string; shape: number[] };
      return {
        name: `${variable.name}/${suffixes[Math.floor(i / n)]}`,
        tensor: tf.tensor(slot, variable.shape, "float32"),
      };
    }),
    ...state.products.map((value, i) => ({ name: `__accBeta${i + 1}`, tensor: tf.scalar(value, "float32") })),
  ];
  return encodeNamed(tensors).finally(() => tf.dispose(tensors.map((entry) => entry.tensor)));
}

function decodeState(name: OptimizerName, encoded: EncodedWeights): OptimizerState {
  const named = decodeNamed(encoded);
  try {
    const iteration = named.find((entry) => entry.name === "iter")?.tensor.dataSync()[0] ?? 0;
    const values = (entry: (typeof named)[number]) => Float32Array.from(entry.tensor.dataSync());
    return {
      name,
      iteration,
      slots: named.filter((entry) => entry.name !== "iter" && !entry.name.startsWith("__")).map(values),
      products: named
        .filter((entry) => entry.name.startsWith("__"))
        .map((entry) => entry.tensor.dataSync()[0] ?? 0),
    };
  } finally {
    tf.dispose(named.map((entry) => entry.tensor));
  }
}

/** What `trainOnBatch` reports after the loss for each task (the fused step computes these). */
const METRICS: Record<Task, string> = { classification: "acc", binary: "acc", regression: "mae" };

/**
 * Why the fused step cannot stand in for `trainOnBatch` on this compiled model, or null when it
 * can: its loss, reported metrics and output width must be the task's head (heads.ts computes
 * exactly those), whatever the layers allow.
 */
function headMismatch(model: tf.LayersModel, task: Task, units: number, numClasses?: number): string | null {
  const expected = headFor(task, numClasses ?? 0);
  const losses = Array.isArray(model.loss) ? model.loss : [model.loss];
  const loss = losses.length === 1 ? losses[0] : undefined;
  if (typeof loss !== "string") return "the model's loss is a custom function or one per output";
  if (loss !== expected.loss)
    return `the model is compiled with loss ${loss}, the ${task} head computes ${expected.loss}`;
  const metrics = model.metricsNames.slice(1);
  if (metrics.length !== 1 || metrics[0] !== METRICS[task]) {
    return `the model reports metrics [${metrics.join(", ")}], the ${task} head computes [${METRICS[task]}]`;
  }
  const width = task === "classification" ? numClasses : 1;
  if (width !== undefined ? units !== width : units < 2) {
    return `the model outputs ${units} values per sample, the ${task} task needs ${width ?? "at least 2"}`;
  }
  return null;
}

/**
 * The training step for a compiled `model`: the fused Dense step when `mode` is `auto`, the
 * model is a Sequential stack of Dense layers compiled with the task's loss and metric, its
 * output width fits the task (`numClasses` outputs for classification, when given; else one)
 * and its optimizer is one the fused step replays (Adam, SGD, non-centered RMSProp, with the
 * optimizer's own settings); else `model.trainOnBatch`, with the reason in `description`.
 * Throws when the model is not compiled.
 * @example
 * const step = createTrainStep(model, { task: "classification", numClasses: 3, mode: "auto" });
 * const [loss, accuracy] = await step.train(xs, ys);
 */
export function createTrainStep(
  model: tf.LayersModel,
  options: {
    task: Task;
    numClasses?: number;
    mode: TrainStepMode;
    /** Per-class loss weights by class index (classification and binary); see `headStep`. */
    classWeights?: Float32Array;
  },
): TrainStep {
  if (!model.optimizer)
    throw new Error("createTrainStep: the model is not compiled; call model.compile first");
  const { classWeights } = options;
  const weighted = classWeights ? ", class-weighted loss" : "";
  const fallback = (why: string) =>
    tfjsStep(model, `tfjs ${classWeights ? "gradients" : "trainOnBatch"} (${why}${weighted})`, classWeights);
  if (options.mode === "tfjs") return fallback("--train-step tfjs");
  const layers = denseLayersOf(model, options.task);
  if (typeof layers === "string") return fallback(layers);
  const units = (layers.at(-1)?.kernel.shape[1] ?? 0) as number;
  const mismatch = headMismatch(model, options.task, units, options.numClasses);
  if (mismatch) return fallback(mismatch);
  const optimizer = arrayOptimizerFor(model.optimizer);
  if (typeof optimizer === "string") return fallback(optimizer);
  const className = model.optimizer.getClassName();
  const parts = denseParts(layers, options.task, optimizer, classWeights);
  const variables = model.trainableWeights.map((weight) => ({
    name: weight.originalName,
    shape: weight.shape as number[],
  }));
  return {
    kind: "dense",
    description: `fused Dense (${layers.length} layers, ${optimizer.name} on the CPU side${weighted})`,
    optimizerClassName: className,
    async train(xs, ys) {
      const { values, gradients } = parts.gradients(xs, ys);
      parts.apply(gradients);
      return values;
    },
    gradients: async (xs, ys) => parts.gradients(xs, ys),
    applyGradients: async (gradients) => parts.apply(gradients),
    captureOptimizer: () => encodeState(optimizer.getState(), variables),
    async restoreOptimizer(state) {
      optimizer.setState(decodeState(FUSED_OPTIMIZERS[className] as OptimizerName, state));
    },
  };
}
