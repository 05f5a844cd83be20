import * as tf from "@tensorflow/tfjs";
import { UsageError } from "../errors.ts";
import { readJsonFile } from "../files.ts";
import type { OptimizerName } from "../train/config.ts";

/** What the model predicts (the adapter's task names): decides the output layer, loss and metrics. */
export type Task = "classification" | "binary" | "regression";

/** The loss and metric names a task compiles with, and their names in history and reports. */
export interface TaskHead {
  activation: "softmax" | "sigmoid" | "linear";
  units: number;
  loss: string;
  /** tfjs metric identifiers, in the order `trainOnBatch` reports them after the loss. */
  metrics: string[];
  /** Column names for those metrics (history.csv, progress, evaluate). */
  metricNames: string[];
}

/** Output layer, loss and metrics for `task`; `numClasses` matters for classification only. */
export function headFor(task: Task, numClasses: number): TaskHead {
  switch (task) {
    case "classification":
      return {
        activation: "softmax",
        units: numClasses,
        loss: "sparseCategoricalCrossentropy",
        metrics: ["accuracy"],
        metricNames: ["accuracy"],
      };
    case "binary":
      return {
        activation: "sigmoid",
        units: 1,
        loss: "binaryCrossentropy",
        metrics: ["accuracy"],
        metricNames: ["accuracy"],
      };
    case "regression":
      return {
        activation: "linear",
        units: 1,
        loss: "meanSquaredError",
        metrics: ["mae"],
        metricNames: ["mae"],
      };
  }
}

/** Hidden layer widths of `mlp:64,32` (`mlp:` alone = no hidden layer, a linear/logistic model). */
export function parseModelSpec(spec: string): number[] {
  const match = /^mlp:\s*([\d,\s]*)$/.exec(spec.trim());
  const widths = match?.[1]
    ?.split(",")
    .map((part) => part.trim())
    .filter((part) => part !== "");
  if (!match || !widths || widths.some((w) => !/^\d+$/.test(w) || Number(w) < 1)) {
    throw new UsageError(
      `--model must look like mlp:64,32 (hidden layer widths), got ${JSON.stringify(spec)}`,
    );
  }
  return widths.map(Number);
}

// Distinct, fixed seeds per initialiser keep layers from sharing one random stream while the
// whole model still follows from --seed alone.
function seedFor(seed: number, layer: number): number {
  return (seed + 7919 * (layer + 1)) % 2 ** 31;
}

/** A dense ReLU MLP with the task's head; every kernel initialiser is seeded from `seed`. */
export function buildMlp(options: {
  numFeatures: number;
  hidden: number[];
  head: TaskHead;
  seed: number;
}): tf.Sequential {
  const model = tf.sequential({ name: "mlp" });
  const widths = [...options.hidden, options.head.units];
  widths.forEach((units, i) => {
    const last = i === widths.length - 1;
    model.add(
      tf.layers.dense({
        name: last ? "output" : `hidden_${i + 1}`,
        units,
        activation: last ? options.head.activation : "relu",
        kernelInitializer: tf.initializers.glorotUniform({ seed: seedFor(options.seed, i) }),
        biasInitializer: "zeros",
        ...(i === 0 ? { inputShape: [options.numFeatures] } : {}),
      }),
    );
  });
  return model;
}

/** Gives every unseeded random initialiser in a Keras/tfjs topology a seed derived from `seed`. */
export function seedInitialisers(topology: unknown, seed: number): unknown {
  let count = 0;
  const visit = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(visit);
    if (node === null || typeof node !== "object") return node;
    const object = node as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(object)) out[key] = visit(value);
    const config = out.config as Record<string, unknown> | undefined;
    if (typeof out.class_name === "string" && config && typeof config === "object" && "seed" in config) {
      if (config.seed === null || config.seed === undefined)
        out.config = { ...config, seed: seedFor(seed, count) };
      count++;
    }
    return out;
  };
  return visit(topology);
}

/**
 * Loads a user's architecture from a tfjs/Keras `model.json` (its weights, if any, are ignored:
 * training starts from seeded initialisers). Throws `UsageError` when the file is missing or
 * its output does not fit the task.
 */
export async function loadArchitecture(
  path: string,
  options: { numFeatures: number; head: TaskHead; seed: number },
): Promise<tf.LayersModel> {
  let json: { modelTopology?: unknown };
  try {
    json = await readJsonFile<{ modelTopology?: unknown }>(path);
  } catch (error) {
    // The helper's message starts with the path; the flag goes first here.
    const reason = (error as Error).message.slice(path.length + 2);
    throw new UsageError(`--model-json ${path}: ${reason}; give a tfjs model.json (e.g. from model.save)`);
  }
  type Topology = tf.io.ModelJSON["modelTopology"];
  const topology = seedInitialisers(json.modelTopology ?? json, options.seed) as Topology;
  let model: tf.LayersModel;
  try {
    model = await tf.models.modelFromJSON({ modelTopology: topology });
  } catch (error) {
    throw new UsageError(
      `--model-json ${path}: not a tfjs layers model (${(error as Error).message.split("\n")[0]})`,
    );
  }
  const inputShape = model.inputs[0]?.shape;
  const outputShape = model.outputs[0]?.shape;
  if (model.inputs.length !== 1 || inputShape?.length !== 2 || inputShape[1] !== options.numFeatures) {
    throw new UsageError(
      `--model-json ${path}: the model takes input ${JSON.stringify(inputShape)}, the data has ${options.numFeatures} features; set its input shape to [null, ${options.numFeatures}]`,
    );
  }
  if (model.outputs.length !== 1 || outputShape?.length !== 2 || outputShape[1] !== options.head.units) {
    throw new UsageError(
      `--model-json ${path}: the model outputs ${JSON.stringify(outputShape)}, the task needs [null, ${options.head.units}] with ${options.head.activation}; change its last layer`,
    );
  }
  return model;
}

/** The optimizer by name; `learningRate` defaults to Keras's defaults (adam/rmsprop 0.001, sgd 0.01). */
export function makeOptimizer(name: OptimizerName, learningRate?: number): tf.Optimizer {
  switch (name) {
    case "adam":
      return tf.train.adam(learningRate ?? 0.001);
    case "sgd":
      return tf.train.sgd(learningRate ?? 0.01);
    case "rmsprop":
      return tf.train.rmsprop(learningRate ?? 0.001);
  }
}

/** Compiles `model` with the task's loss and metrics. */
export function compileModel(model: tf.LayersModel, head: TaskHead, optimizer: tf.Optimizer): void {
  model.compile({ optimizer, loss: head.loss, metrics: head.metrics });
}
