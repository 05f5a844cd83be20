import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { buildMlp, compileModel, headFor, type Task } from "./build.ts";
import { createTrainStep } from "./train-step.ts";

// The fused step stands in for trainOnBatch only where it computes the same thing: these tests
// give it models compiled otherwise, which must train exactly as trainOnBatch trains them.

beforeAll(async () => {
  tf.env().set("PROD", true);
  await tf.setBackend("cpu");
});

const head = headFor("classification", 3);

/** A model and its twin (same seeded initial weights), compiled alike by `compile`. */
function twins(
  task: Task,
  units: number,
  compile: (model: tf.LayersModel) => void,
  hidden: number[] = [6],
): [tf.LayersModel, tf.LayersModel] {
  const head = { ...headFor(task, units), units };
  const make = () => {
    const model = buildMlp({ numFeatures: 4, hidden, head, seed: 9 });
    compile(model);
    return model;
  };
  return [make(), make()];
}

/**
 * Batches for `task`: 8 rows of 4 features; labels class indices below `classes`, 0/1, or reals
 * (`classes` of them per row for a regression).
 */
function batch(task: Task, classes: number, s: number): { xs: tf.Tensor; ys: tf.Tensor } {
  const xs = tf.tensor2d(
    Array.from({ length: 8 * 4 }, (_, i) => Math.cos(i * 1.3 + s)),
    [8, 4],
  );
  const labels = Array.from({ length: 8 }, (_, i) =>
    task === "classification" ? (i + s) % classes : task === "binary" ? (i + s) % 2 : Math.sin(i + s),
  );
  if (task === "regression" && classes > 1) {
    const ys = tf.tensor2d(
      Array.from({ length: 8 * classes }, (_, i) => Math.sin(i + s)),
      [8, classes],
    );
    return { xs, ys };
  }
  return { xs, ys: tf.tensor1d(labels) };
}

/** Trains `steps` steps through `train`; returns every reported value and the final weights. */
async function run(
  train: (xs: tf.Tensor, ys: tf.Tensor) => Promise<number[]>,
  model: tf.LayersModel,
  task: Task,
  classes: number,
  steps = 6,
): Promise<{ reported: number[]; weights: number[][] }> {
  const reported: number[] = [];
  for (let s = 0; s < steps; s++) {
    const { xs, ys } = batch(task, classes, s);
    reported.push(...(await train(xs, ys)));
    tf.dispose([xs, ys]);
  }
  return { reported, weights: model.getWeights().map((w) => Array.from(w.dataSync())) };
}

const viaTrainOnBatch = (model: tf.LayersModel) => async (xs: tf.Tensor, ys: tf.Tensor) => {
  const result = await model.trainOnBatch(xs, ys);
  return Array.isArray(result) ? result : [result];
};

type Mismatch = [string, Task, number, number | undefined, (model: tf.LayersModel) => void, string];

const mismatches: Mismatch[] = [
  [
    "a sigmoid head compiled with mean squared error",
    "binary",
    1,
    undefined,
    (m) => m.compile({ optimizer: tf.train.adam(0.01), loss: "meanSquaredError", metrics: ["accuracy"] }),
    "the model is compiled with loss meanSquaredError, the binary head computes binaryCrossentropy",
  ],
  [
    "a regression model compiled with mean absolute error",
    "regression",
    1,
    undefined,
    (m) => m.compile({ optimizer: tf.train.adam(0.01), loss: "meanAbsoluteError", metrics: ["mae"] }),
    "the model is compiled with loss meanAbsoluteError, the regression head computes meanSquaredError",
  ],
  [
    "a custom loss function",
    "regression",
    1,
    undefined,
    (m) => m.compile({ optimizer: tf.train.adam(0.01), loss: tf.losses.meanSquaredError, metrics: ["mae"] }),
    "the model's loss is a custom function or one per output",
  ],
  [
    "other metrics than the head's",
    "classification",
    3,
    3,
    (m) => m.compile({ optimizer: tf.train.adam(0.01), loss: "sparseCategoricalCrossentropy", metrics: [] }),
    "the model reports metrics [], the classification head computes [acc]",
  ],
  [
    "a Momentum optimizer",
    "classification",
    3,
    3,
    (m) => compileModel(m, headFor("classification", 3), tf.train.momentum(0.05, 0.9)),
    "the optimizer is Momentum, which the fused step does not implement",
  ],
  [
    "an Adagrad optimizer",
    "binary",
    1,
    undefined,
    (m) => compileModel(m, headFor("binary", 2), tf.train.adagrad(0.05)),
    "the optimizer is Adagrad, which the fused step does not implement",
  ],
  [
    "a centered RMSProp",
    "regression",
    1,
    undefined,
    (m) => compileModel(m, headFor("regression", 0), tf.train.rmsprop(0.01, 0.9, 0, 1e-7, true)),
    "the optimizer is a centered RMSProp",
  ],
  [
    "4 outputs for 3 classes",
    "classification",
    4,
    3,
    (m) => compileModel(m, headFor("classification", 3), tf.train.adam(0.01)),
    "the model outputs 4 values per sample, the classification task needs 3",
  ],
  [
    "2 linear outputs for a regression",
    "regression",
    2,
    undefined,
    (m) => compileModel(m, headFor("regression", 0), tf.train.adam(0.01)),
    "the model outputs 2 values per sample, the regression task needs 1",
  ],
];

describe("createTrainStep checks the compiled model", () => {
  it.each(mismatches)(
    "%s → trainOnBatch, the description says why, and training equals trainOnBatch's",
    async (_, task, units, numClasses, compile, reason) => {
      const [model, twin] = twins(task, units, compile);
      const step = createTrainStep(model, { task, ...(numClasses ? { numClasses } : {}), mode: "auto" });
      expect(step.kind).toBe("tfjs");
      expect(step.description).toBe(`tfjs trainOnBatch (${reason})`);
      const classes = numClasses ?? (task === "regression" ? units : 2);
      const got = await run(step.train, model, task, classes);
      const expected = await run(viaTrainOnBatch(twin), twin, task, classes);
      expect(got).toEqual(expected);
    },
  );

  type Match = [string, Task, number, () => tf.Optimizer];
  const matches: Match[] = [
    [
      "Adam with beta1 0.5, beta2 0.9, epsilon 1e-3",
      "classification",
      3,
      () => tf.train.adam(0.02, 0.5, 0.9, 1e-3),
    ],
    [
      "RMSProp with decay 0.8, momentum 0.5, epsilon 1e-4",
      "regression",
      1,
      () => tf.train.rmsprop(0.01, 0.8, 0.5, 1e-4),
    ],
    ["SGD at 0.05", "binary", 1, () => tf.train.sgd(0.05)],
    ["Adam with tfjs's defaults", "binary", 1, () => tf.train.adam()],
  ];

  it.each(matches)(
    "the task's head and %s → the fused step, with the optimizer's own settings (equal to trainOnBatch to float32 rounding)",
    async (_, task, units, optimizer) => {
      const numClasses = task === "classification" ? units : undefined;
      const [model, twin] = twins(
        task,
        units,
        (m) => compileModel(m, headFor(task, units), optimizer()),
        [5, 4],
      );
      const step = createTrainStep(model, { task, ...(numClasses ? { numClasses } : {}), mode: "auto" });
      expect(step.kind).toBe("dense");
      expect(step.optimizerClassName).toBe(model.optimizer.getClassName());
      const got = await run(step.train, model, task, units, 10);
      const expected = await run(viaTrainOnBatch(twin), twin, task, units, 10);
      got.reported.forEach((value, i) => {
        expect(value).toBeCloseTo(expected.reported[i] as number, 5);
      });
      got.weights.forEach((values, i) => {
        values.forEach((value, j) => {
          expect(value).toBeCloseTo((expected.weights[i] as number[])[j] as number, 5);
        });
      });
    },
  );

  it("an uncompiled model → throws, asking to compile it", () => {
    const model = buildMlp({ numFeatures: 4, hidden: [3], head, seed: 1 });
    expect(() => createTrainStep(model, { task: "classification", mode: "auto" })).toThrow(
      "createTrainStep: the model is not compiled; call model.compile first",
    );
  });
});
