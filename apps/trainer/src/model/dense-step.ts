// A training step for models that are a plain stack of Dense layers (what `--model mlp:…`
// builds), with the backward pass written out instead of taped. At the trainer's batch sizes a
// tfjs step costs its kernel dispatches, not its arithmetic: `trainOnBatch` on the default MLP
// runs ~225 kernels (1.36 ms on wasm), mostly autodiff bookkeeping, the clipped loss and Adam.
// Here the same step is ~20 kernels (fused matmuls forward, two matmuls and a sum per layer
// backward), with the loss head (heads.ts) and the optimizer (optimizers.ts) on the CPU side.
// The same tfjs kernels compute the matrix products, so results match `trainOnBatch` to float32
// rounding (tested differentially); any other model trains through `trainOnBatch`.
import * as tf from "@tensorflow/tfjs";
import type { Task } from "./build.ts";
import { headStep } from "./heads.ts";
import type { ArrayOptimizer } from "./optimizers.ts";

type Hidden = "relu" | "linear" | "sigmoid" | "tanh";
const HIDDEN: readonly string[] = ["relu", "linear", "sigmoid", "tanh"] satisfies Hidden[];
const OUTPUT: Record<Task, string> = { classification: "softmax", binary: "sigmoid", regression: "linear" };

/** tfjs-layers' LayerVariable, as far as this step uses it. */
interface LayerVariable {
  read(): tf.Variable;
  write(value: tf.Tensor): unknown;
  shape: number[];
}

interface DenseLayer {
  kernel: LayerVariable;
  bias: LayerVariable | null;
  activation: string;
}

/** The model's Dense layers when this step can train it, or why it cannot (one line). */
export function denseLayersOf(model: tf.LayersModel, task: Task): DenseLayer[] | string {
  const embedding = model.layers.find((layer) => layer.getClassName() === "Embedding");
  if (embedding !== undefined)
    return `layer ${embedding.name} is an Embedding: the fused step runs Dense stacks only`;
  if (model.getClassName() !== "Sequential") return `a ${model.getClassName()} model, not a Sequential stack`;
  const layers: DenseLayer[] = [];
  const variables: unknown[] = [];
  // A model.json may list its input as a layer of its own; it computes nothing.
  const stack = model.layers.filter((layer) => layer.getClassName() !== "InputLayer");
  for (const [i, layer] of stack.entries()) {
    const config = layer.getConfig() as Record<string, unknown>;
    if (layer.getClassName() !== "Dense") return `layer ${layer.name} is a ${layer.getClassName()}`;
    if (!layer.trainable) return `layer ${layer.name} is frozen`;
    for (const key of [
      "kernelRegularizer",
      "biasRegularizer",
      "activityRegularizer",
      "kernelConstraint",
      "biasConstraint",
    ]) {
      if (config[key] !== null && config[key] !== undefined) return `layer ${layer.name} has a ${key}`;
    }
    const activation = String(config.activation);
    const last = i === stack.length - 1;
    if (last ? activation !== OUTPUT[task] : !HIDDEN.includes(activation)) {
      return `layer ${layer.name} has activation ${activation}`;
    }
    const weights = layer.trainableWeights as unknown as LayerVariable[];
    const kernel = weights.find((w) => w.shape.length === 2);
    const bias = weights.find((w) => w.shape.length === 1) ?? null;
    if (!kernel || weights.length !== (bias ? 2 : 1)) return `layer ${layer.name} has unexpected weights`;
    layers.push({ kernel, bias, activation });
    variables.push(kernel, ...(bias ? [bias] : []));
  }
  if (model.inputs.length !== 1 || model.inputs[0]?.shape.length !== 2)
    return "the model input is not [batch, features]";
  // The optimizer's slots follow the model's trainable weights, as tfjs's own do.
  const trainable = model.trainableWeights as unknown[];
  if (trainable.length !== variables.length || trainable.some((w, i) => w !== variables[i])) {
    return "the trainable weights are not the layers' kernels and biases in order";
  }
  return layers;
}

/** A layer's output; the output layer's pre-activation (its activation belongs to the loss head). */
function forwardLayer(input: tf.Tensor, layer: DenseLayer, isOutput: boolean): tf.Tensor {
  const activation = isOutput ? "linear" : layer.activation;
  const fused = activation === "relu" ? "relu" : "linear";
  const z = tf.fused.matMul({
    a: input as tf.Tensor2D,
    b: layer.kernel.read() as tf.Tensor2D,
    ...(layer.bias ? { bias: layer.bias.read() } : {}),
    activation: fused,
  });
  if (activation === "sigmoid") return tf.sigmoid(z);
  if (activation === "tanh") return tf.tanh(z);
  return z;
}

/** dLoss/dz of a hidden layer from dLoss/d(its output) and the output itself, as tfjs's gradients do. */
function activationGradient(dOutput: tf.Tensor, output: tf.Tensor, activation: string): tf.Tensor {
  switch (activation) {
    case "relu":
      return tf.mul(dOutput, tf.step(output));
    case "sigmoid":
      return tf.mul(dOutput, tf.mul(output, tf.sub(1, output)));
    case "tanh":
      return tf.mul(dOutput, tf.sub(1, tf.square(output)));
    default:
      return dOutput;
  }
}

/** One training step: returns `[loss, metric]` before the update, as `trainOnBatch` reports them. */
export type DenseStep = (xs: tf.Tensor, ys: tf.Tensor) => number[];

/** A step's two halves, so gradients can be combined (across ranks) before they are applied. */
export interface DenseParts {
  /** `[loss, metric]` and the gradients of the batch's mean loss, one array per variable (copies). */
  gradients(xs: tf.Tensor, ys: tf.Tensor): { values: number[]; gradients: Float32Array[] };
  /** Updates the variables with `gradients` under the optimizer. */
  apply(gradients: Float32Array[]): void;
}

/**
 * The halves of a training step for `model` (layers from {@link denseLayersOf}) under `optimizer`.
 * Throws RangeError when a classification label is not a class index of the output.
 */
export function denseParts(
  layers: DenseLayer[],
  task: Task,
  optimizer: ArrayOptimizer,
  /** Per-class loss weights (classification and binary), as `headStep` takes them. */
  classWeights?: Float32Array,
): DenseParts {
  const variables = layers.flatMap((layer) => (layer.bias ? [layer.kernel, layer.bias] : [layer.kernel]));
  return {
    gradients: (xs, ys) =>
      tf.tidy(() => {
        const batchSize = xs.shape[0] as number;
        const outputs: tf.Tensor[] = [xs];
        layers.forEach((layer, l) => {
          outputs.push(forwardLayer(outputs[l] as tf.Tensor, layer, l === layers.length - 1));
        });
        const z = outputs.at(-1) as tf.Tensor;
        const units = z.shape[1] as number;
        const dz = new Float32Array(batchSize * units);
        const labels = ys.dataSync() as Float32Array;
        const { loss, metric } = headStep(
          task,
          z.dataSync() as Float32Array,
          labels,
          batchSize,
          units,
          dz,
          classWeights,
        );
        const gradients: tf.Tensor[] = new Array(variables.length);
        let slot = variables.length;
        let dZ: tf.Tensor = tf.tensor2d(dz, [batchSize, units]);
        for (let l = layers.length - 1; l >= 0; l--) {
          const layer = layers[l] as DenseLayer;
          const input = outputs[l] as tf.Tensor;
          if (layer.bias) gradients[--slot] = tf.sum(dZ, 0);
          // An explicit transpose and a plain product: tfjs-wasm's matMul with transposeA/B set
          // takes a generic loop, ~5x slower at these sizes than transposing first.
          gradients[--slot] = tf.matMul(tf.transpose(input), dZ);
          if (l > 0) {
            const dInput = tf.matMul(dZ, tf.transpose(layer.kernel.read()));
            dZ = activationGradient(dInput, input, (layers[l - 1] as DenseLayer).activation);
          }
        }
        // Copies: on the cpu backend dataSync() returns the tensor's own storage.
        return {
          values: [loss, metric],
          gradients: gradients.map((g) => Float32Array.from(g.dataSync() as Float32Array)),
        };
      }),
    apply(gradients) {
      tf.tidy(() => {
        const values = variables.map((v) => Float32Array.from(v.read().dataSync() as Float32Array));
        optimizer.apply(values, gradients);
        variables.forEach((v, i) => {
          v.write(tf.tensor(values[i] as Float32Array, v.shape, "float32"));
        });
      });
    },
  };
}

/**
 * A training step for `model` (layers from {@link denseLayersOf}) under `optimizer`.
 * Throws RangeError when a classification label is not a class index of the output.
 */
export function denseStep(
  layers: DenseLayer[],
  task: Task,
  optimizer: ArrayOptimizer,
  classWeights?: Float32Array,
): DenseStep {
  const parts = denseParts(layers, task, optimizer, classWeights);
  return (xs, ys) => {
    const { values, gradients } = parts.gradients(xs, ys);
    parts.apply(gradients);
    return values;
  };
}
