import { initBackend } from "@stepwise/data/tfjs";
import * as tf from "@tensorflow/tfjs";
import fc from "fast-check";
import { beforeAll, describe, expect, it, onTestFinished } from "vitest";
import type { OptimizerName } from "../train/config.ts";
import { buildMlp, compileModel, headFor, makeOptimizer, type Task } from "./build.ts";
import { denseLayersOf, denseParts, denseStep } from "./dense-step.ts";
import { arrayOptimizer } from "./optimizers.ts";
import { tfjsGradients } from "./tfjs-gradients.ts";
import { createTrainStep } from "./train-step.ts";

beforeAll(async () => {
  tf.env().set("PROD", true);
  await tf.setBackend("cpu");
});

interface Spec {
  task: Task;
  numFeatures: number;
  numClasses: number;
  hidden: { units: number; activation: "relu" | "linear" | "sigmoid" | "tanh"; useBias: boolean }[];
  outputBias: boolean;
  optimizer: OptimizerName;
  learningRate: number;
  seed: number;
}

function build(spec: Spec): tf.Sequential {
  const head = headFor(spec.task, spec.numClasses);
  const model = tf.sequential();
  const layers = [
    ...spec.hidden,
    { units: head.units, activation: head.activation, useBias: spec.outputBias },
  ];
  layers.forEach((layer, i) => {
    model.add(
      tf.layers.dense({
        ...layer,
        // Random biases too, so that no unit starts exactly at a ReLU's or the loss's kink.
        kernelInitializer: tf.initializers.glorotUniform({ seed: spec.seed + i }),
        biasInitializer: tf.initializers.randomUniform({
          minval: -0.5,
          maxval: 0.5,
          seed: spec.seed + 100 + i,
        }),
        ...(i === 0 ? { inputShape: [spec.numFeatures] } : {}),
      }),
    );
  });
  compileModel(model, head, makeOptimizer(spec.optimizer, spec.learningRate));
  return model;
}

const specs: fc.Arbitrary<Spec> = fc.record({
  task: fc.constantFrom<Task>("classification", "binary", "regression"),
  numFeatures: fc.integer({ min: 1, max: 5 }),
  numClasses: fc.integer({ min: 2, max: 5 }),
  hidden: fc.array(
    fc.record({
      units: fc.integer({ min: 1, max: 6 }),
      activation: fc.constantFrom("relu" as const, "linear" as const, "sigmoid" as const, "tanh" as const),
      useBias: fc.boolean(),
    }),
    { maxLength: 3 },
  ),
  outputBias: fc.boolean(),
  optimizer: fc.constantFrom<OptimizerName>("adam", "sgd", "rmsprop"),
  learningRate: fc.constantFrom(0.001, 0.01, 0.1),
  seed: fc.integer({ min: 0, max: 10_000 }),
});

/** Batches of features and labels that fit the spec's task. */
function batchesFor(spec: Spec) {
  const label =
    spec.task === "classification"
      ? fc.integer({ min: 0, max: spec.numClasses - 1 })
      : spec.task === "binary"
        ? fc.constantFrom(0, 1)
        : fc.double({ min: -3, max: 3, noNaN: true });
  return fc.array(
    fc.integer({ min: 1, max: 7 }).chain((batchSize) =>
      fc.record({
        // Multiples of 1/64: exact in float32, and no near-zero inputs that put two logits a
        // few ulps apart (where tfjs's float32 softmax and this step may order them differently).
        xs: fc.array(
          fc.integer({ min: -128, max: 128 }).map((i) => i / 64),
          {
            minLength: batchSize * spec.numFeatures,
            maxLength: batchSize * spec.numFeatures,
          },
        ),
        ys: fc.array(label, { minLength: batchSize, maxLength: batchSize }),
      }),
    ),
    { minLength: 1, maxLength: 4 },
  );
}

function tensorsOf(task: Task, xs: number[], ys: number[], numFeatures: number) {
  const batchSize = ys.length;
  return {
    xs: tf.tensor2d(xs, [batchSize, numFeatures]),
    ys: task === "classification" ? tf.tensor1d(ys) : tf.tensor2d(ys, [batchSize, 1]),
  };
}

describe("denseStep", () => {
  it("random Dense stacks, heads, optimizers and batches → trainOnBatch's losses, metrics and weights", async () => {
    await fc.assert(
      fc.asyncProperty(
        specs.chain((spec) => fc.tuple(fc.constant(spec), batchesFor(spec))),
        async ([spec, batches]) => {
          const reference = build(spec);
          const fused = build(spec);
          const layers = denseLayersOf(fused, spec.task);
          if (typeof layers === "string") throw new Error(layers);
          const step = denseStep(layers, spec.task, arrayOptimizer(spec.optimizer, spec.learningRate));
          for (const batch of batches) {
            const { xs, ys } = tensorsOf(spec.task, batch.xs, batch.ys, spec.numFeatures);
            const expected = (await reference.trainOnBatch(xs, ys)) as number[];
            const before = tf.memory().numTensors;
            const got = step(xs, ys);
            expect(tf.memory().numTensors).toBe(before);
            tf.dispose([xs, ys]);
            expect(Math.abs((got[0] as number) - (expected[0] as number))).toBeLessThanOrEqual(
              1e-4 * Math.max(1, Math.abs(expected[0] as number)),
            );
            expect(got[1]).toBeCloseTo(expected[1] as number, 4);
          }
          const a = reference.getWeights().map((w) => w.dataSync());
          const b = fused.getWeights().map((w) => w.dataSync());
          a.forEach((values, i) => {
            values.forEach((value, j) => {
              // Adam and RMSProp divide by the gradient's own scale: a gradient that is zero up
              // to rounding may move a weight by up to ~lr in either path.
              const tolerance = 1e-4 + (spec.optimizer === "sgd" ? 0 : spec.learningRate);
              expect(Math.abs(value - (b[i]?.[j] as number))).toBeLessThanOrEqual(tolerance);
            });
          });
          tf.dispose([reference, fused].flatMap((m) => m.weights.map((w) => w.read())));
        },
      ),
      { numRuns: 60 },
    );
  });

  it.each(["cpu", "wasm"] as const)(
    "%s backend, the default MLP over 50 Adam steps → weights within 1e-5 of trainOnBatch's",
    async (backend) => {
      await initBackend(backend);
      onTestFinished(async () => {
        await tf.setBackend("cpu");
      });
      expect(tf.getBackend()).toBe(backend);
      const head = headFor("classification", 4);
      const make = () => {
        const model = buildMlp({ numFeatures: 6, hidden: [16, 8], head, seed: 3 });
        compileModel(model, head, makeOptimizer("adam"));
        return model;
      };
      const reference = make();
      const fused = make();
      const layers = denseLayersOf(fused, "classification");
      if (typeof layers === "string") throw new Error(layers);
      const step = denseStep(layers, "classification", arrayOptimizer("adam"));
      for (let s = 0; s < 50; s++) {
        const xs = tf.tensor2d(
          Array.from({ length: 32 * 6 }, (_, i) => Math.sin(i * 0.37 + s)),
          [32, 6],
        );
        const ys = tf.tensor1d(Array.from({ length: 32 }, (_, i) => (i * 7 + s) % 4));
        const expected = (await reference.trainOnBatch(xs, ys)) as number[];
        const got = step(xs, ys);
        expect(got[0]).toBeCloseTo(expected[0] as number, 5);
        expect(got[1]).toBe(expected[1]);
        tf.dispose([xs, ys]);
      }
      const a = reference.getWeights().map((w) => Array.from(w.dataSync()));
      const b = fused.getWeights().map((w) => Array.from(w.dataSync()));
      a.flat().forEach((value, i) => {
        expect(Math.abs(value - (b.flat()[i] as number))).toBeLessThan(1e-5);
      });
    },
  );
});

describe("class-weighted loss", () => {
  const classSpecs = specs.filter((spec) => spec.task !== "regression");
  const weightsFor = (spec: Spec) =>
    fc.array(
      fc.integer({ min: 0, max: 40 }).map((i) => i / 8),
      spec.task === "binary"
        ? { minLength: 2, maxLength: 2 }
        : { minLength: spec.numClasses, maxLength: spec.numClasses },
    );

  it("random stacks, class weights and batches → the fused step's loss and gradients equal tfjs's weighted loss gradients (float32)", async () => {
    await fc.assert(
      fc.asyncProperty(
        classSpecs.chain((spec) => fc.tuple(fc.constant(spec), batchesFor(spec), weightsFor(spec))),
        async ([spec, batches, weights]) => {
          const model = build(spec);
          const layers = denseLayersOf(model, spec.task);
          if (typeof layers === "string") throw new Error(layers);
          const classWeights = Float32Array.from(weights);
          const parts = denseParts(
            layers,
            spec.task,
            arrayOptimizer(spec.optimizer, spec.learningRate),
            classWeights,
          );
          for (const batch of batches) {
            const { xs, ys } = tensorsOf(spec.task, batch.xs, batch.ys, spec.numFeatures);
            const expected = await tfjsGradients(model, xs, ys, classWeights);
            const got = parts.gradients(xs, ys);
            tf.dispose([xs, ys]);
            const loss = expected.values[0] as number;
            expect(Math.abs((got.values[0] as number) - loss)).toBeLessThanOrEqual(
              1e-4 * Math.max(1, Math.abs(loss)),
            );
            // The metric is unweighted in both.
            expect(got.values[1]).toBeCloseTo(expected.values[1] as number, 5);
            got.gradients.forEach((gradient, i) => {
              const reference = expected.gradients[i] as Float32Array;
              gradient.forEach((value, j) => {
                const want = reference[j] as number;
                expect(Math.abs(value - want)).toBeLessThanOrEqual(1e-4 * Math.max(1, Math.abs(want)));
              });
            });
          }
          tf.dispose(model.weights.map((w) => w.read()));
        },
      ),
      { numRuns: 60 },
    );
  });

  it("weights of 2 for every class → twice the unweighted loss and gradients", () => {
    const spec: Spec = {
      task: "classification",
      numFeatures: 3,
      numClasses: 3,
      hidden: [{ units: 4, activation: "relu", useBias: true }],
      outputBias: true,
      optimizer: "sgd",
      learningRate: 0.1,
      seed: 5,
    };
    const model = build(spec);
    const layers = denseLayersOf(model, spec.task);
    if (typeof layers === "string") throw new Error(layers);
    const { xs, ys } = tensorsOf(spec.task, [0.5, -1, 0.25, 1, 0, -0.5], [2, 0], 3);
    const plain = denseParts(layers, spec.task, arrayOptimizer("sgd", 0.1)).gradients(xs, ys);
    const doubled = denseParts(
      layers,
      spec.task,
      arrayOptimizer("sgd", 0.1),
      Float32Array.of(2, 2, 2),
    ).gradients(xs, ys);
    tf.dispose([xs, ys]);
    expect(doubled.values[0]).toBeCloseTo(2 * (plain.values[0] as number), 6);
    doubled.gradients
      .flatMap((g) => Array.from(g))
      .forEach((value, i) => {
        expect(value).toBeCloseTo(2 * (plain.gradients.flatMap((g) => Array.from(g))[i] as number), 6);
      });
  });

  it("--train-step tfjs with class weights → the same weighted losses and weights as the fused step, no tensor leak", async () => {
    const spec: Spec = {
      task: "binary",
      numFeatures: 2,
      numClasses: 2,
      hidden: [{ units: 3, activation: "tanh", useBias: true }],
      outputBias: true,
      optimizer: "adam",
      learningRate: 0.01,
      seed: 9,
    };
    const classWeights = Float32Array.of(1, 4);
    const fusedModel = build(spec);
    const tfjsModel = build(spec);
    const fused = createTrainStep(fusedModel, { task: "binary", mode: "auto", classWeights });
    const fallback = createTrainStep(tfjsModel, { task: "binary", mode: "tfjs", classWeights });
    expect([fused.kind, fallback.kind]).toEqual(["dense", "tfjs"]);
    expect(fallback.description).toContain("class-weighted");
    for (let s = 0; s < 10; s++) {
      const { xs, ys } = tensorsOf("binary", [s / 8, -0.5, 0.25, s / 16, -1, 0.5], [0, 1, 0], 2);
      const before = tf.memory().numTensors;
      const a = await fused.train(xs, ys);
      const b = await fallback.train(xs, ys);
      if (s > 0) expect(tf.memory().numTensors).toBe(before);
      tf.dispose([xs, ys]);
      expect(a[0]).toBeCloseTo(b[0] as number, 5);
    }
    const a = fusedModel.getWeights().flatMap((w) => Array.from(w.dataSync()));
    const b = tfjsModel.getWeights().flatMap((w) => Array.from(w.dataSync()));
    a.forEach((value, i) => {
      expect(Math.abs(value - (b[i] as number))).toBeLessThan(1e-5);
    });
  });
});

describe("denseLayersOf", () => {
  const head = headFor("classification", 3);
  it("the trainer's MLP → its Dense layers", () => {
    const model = buildMlp({ numFeatures: 4, hidden: [8, 4], head, seed: 1 });
    const layers = denseLayersOf(model, "classification");
    expect(Array.isArray(layers) && layers.map((l) => l.activation)).toEqual(["relu", "relu", "softmax"]);
  });

  it("a Sequential listing its InputLayer (as model.json files do) → its Dense layers", () => {
    const model = tf.sequential();
    model.add(tf.layers.inputLayer({ inputShape: [4] }));
    model.add(tf.layers.dense({ units: 3, activation: "softmax" }));
    const layers = denseLayersOf(model, "classification");
    expect(Array.isArray(layers) && layers.map((l) => l.activation)).toEqual(["softmax"]);
  });

  it.each([
    [
      "a Dropout layer",
      () => {
        const m = tf.sequential();
        m.add(tf.layers.dense({ units: 4, inputShape: [4], activation: "relu" }));
        m.add(tf.layers.dropout({ rate: 0.5 }));
        m.add(tf.layers.dense({ units: 3, activation: "softmax" }));
        return m;
      },
      "is a Dropout",
    ],
    [
      "a kernel regularizer",
      () => {
        const m = tf.sequential();
        m.add(
          tf.layers.dense({
            units: 3,
            inputShape: [4],
            activation: "softmax",
            kernelRegularizer: tf.regularizers.l2(),
          }),
        );
        return m;
      },
      "has a kernelRegularizer",
    ],
    [
      "an elu hidden layer",
      () => {
        const m = tf.sequential();
        m.add(tf.layers.dense({ units: 4, inputShape: [4], activation: "elu" }));
        m.add(tf.layers.dense({ units: 3, activation: "softmax" }));
        return m;
      },
      "has activation elu",
    ],
    [
      "an output that does not fit the task",
      () => {
        const m = tf.sequential();
        m.add(tf.layers.dense({ units: 3, inputShape: [4], activation: "sigmoid" }));
        return m;
      },
      "has activation sigmoid",
    ],
    [
      "a functional model",
      () => {
        const input = tf.input({ shape: [4] });
        const output = tf.layers.dense({ units: 3, activation: "softmax" }).apply(input) as tf.SymbolicTensor;
        return tf.model({ inputs: input, outputs: output });
      },
      "not a Sequential stack",
    ],
    [
      "a frozen layer",
      () => {
        const m = tf.sequential();
        m.add(tf.layers.dense({ units: 3, inputShape: [4], activation: "softmax", trainable: false }));
        return m;
      },
      "is frozen",
    ],
  ])("%s → the reason, one line", (_name, make, reason) => {
    const layers = denseLayersOf(make(), "classification");
    expect(typeof layers).toBe("string");
    expect(layers).toContain(reason);
  });
});
