import * as tf from "@tensorflow/tfjs";
import type { OptimizerName, TrainStepMode } from "../train/config.ts";
import type { Task } from "./build.ts";
import { denseLayersOf, denseParts } from "./dense-step.ts";
import { arrayOptimizer, type OptimizerState } from "./optimizers.ts";
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

const CLASS_NAMES: Record<OptimizerName, string> = { adam: "Adam", sgd: "SGD", rmsprop: "RMSProp" };

function numbersOf(result: number | number[]): number[] {
  return Array.isArray(result) ? result : [result];
}

/** The compiled model's own `trainOnBatch` and optimizer. */
function tfjsStep(model: tf.LayersModel, description: string): TrainStep {
  return {
    kind: "tfjs",
    description,
    optimizerClassName: model.optimizer.getClassName(),
    train: async (xs, ys) => numbersOf(await model.trainOnBatch(xs, ys)),
    gradients: (xs, ys) => tfjsGradients(model, xs, ys),
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

/**
 * The training step for a compiled `model`: the fused Dense step when `mode` is `auto` and the
 * model is a Sequential stack of Dense layers with the task's head, else `trainOnBatch`.
 * `optimizer` and `learningRate` must be what the model was compiled with.
 */
export function createTrainStep(
  model: tf.LayersModel,
  options: { task: Task; optimizer: OptimizerName; learningRate?: number; mode: TrainStepMode },
): TrainStep {
  if (options.mode === "tfjs") return tfjsStep(model, "tfjs trainOnBatch (--train-step tfjs)");
  const layers = denseLayersOf(model, options.task);
  if (typeof layers === "string") return tfjsStep(model, `tfjs trainOnBatch (${layers})`);
  const optimizer = arrayOptimizer(options.optimizer, options.learningRate);
  const parts = denseParts(layers, options.task, optimizer);
  const variables = model.trainableWeights.map((weight) => ({
    name: weight.originalName,
    shape: weight.shape as number[],
  }));
  return {
    kind: "dense",
    description: `fused Dense (${layers.length} layers, ${options.optimizer} on the CPU side)`,
    optimizerClassName: CLASS_NAMES[options.optimizer],
    async train(xs, ys) {
      const { values, gradients } = parts.gradients(xs, ys);
      parts.apply(gradients);
      return values;
    },
    gradients: async (xs, ys) => parts.gradients(xs, ys),
    applyGradients: async (gradients) => parts.apply(gradients),
    captureOptimizer: () => encodeState(optimizer.getState(), variables),
    async restoreOptimizer(state) {
      optimizer.setState(decodeState(options.optimizer, state));
    },
  };
}
