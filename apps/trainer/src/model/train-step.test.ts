import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import type { OptimizerName } from "../train/config.ts";
import { buildMlp, compileModel, headFor, makeOptimizer } from "./build.ts";
import { captureModelWeights, decodeNamed, restoreModelWeights } from "./state.ts";
import { createTrainStep, type TrainStep } from "./train-step.ts";

beforeAll(async () => {
  tf.env().set("PROD", true);
  await tf.setBackend("cpu");
});

const head = headFor("classification", 3);

function setup(optimizer: OptimizerName, mode: "auto" | "tfjs") {
  const model = buildMlp({ numFeatures: 4, hidden: [6], head, seed: 5 });
  compileModel(model, head, makeOptimizer(optimizer));
  return { model, step: createTrainStep(model, { task: "classification", mode }) };
}

async function train(step: TrainStep, from: number, to: number): Promise<number[]> {
  const losses: number[] = [];
  for (let s = from; s < to; s++) {
    const xs = tf.tensor2d(
      Array.from({ length: 8 * 4 }, (_, i) => Math.cos(i * 1.3 + s)),
      [8, 4],
    );
    const ys = tf.tensor1d(Array.from({ length: 8 }, (_, i) => (i + s) % 3));
    losses.push(...(await step.train(xs, ys)));
    tf.dispose([xs, ys]);
  }
  return losses;
}

/** Every value of an encoded optimizer state, by position (names differ between processes). */
function valuesOf(encoded: Awaited<ReturnType<TrainStep["captureOptimizer"]>>): number[][] {
  const named = decodeNamed(encoded);
  const out = named.map((entry) => Array.from(entry.tensor.dataSync()));
  tf.dispose(named.map((entry) => entry.tensor));
  return out;
}

describe("createTrainStep", () => {
  it("the trainer's MLP, auto → fused dense step; tfjs → trainOnBatch", () => {
    expect(setup("adam", "auto").step.kind).toBe("dense");
    expect(setup("adam", "tfjs").step.kind).toBe("tfjs");
  });

  it("a model with a Dropout layer → trainOnBatch, and the description says why", () => {
    const model = tf.sequential();
    model.add(tf.layers.dense({ units: 4, inputShape: [4], activation: "relu" }));
    model.add(tf.layers.dropout({ rate: 0.5 }));
    model.add(tf.layers.dense({ units: 3, activation: "softmax" }));
    compileModel(model, head, makeOptimizer("adam"));
    const step = createTrainStep(model, { task: "classification", mode: "auto" });
    expect(step.kind).toBe("tfjs");
    expect(step.description).toContain("is a Dropout");
  });

  it.each<OptimizerName>(["adam", "sgd", "rmsprop"])(
    "%s: checkpoint after 3 steps restored into a new run → the next steps equal an uninterrupted run's",
    async (optimizer) => {
      const straight = setup(optimizer, "auto");
      const expected = await train(straight.step, 0, 7);
      const first = setup(optimizer, "auto");
      await train(first.step, 0, 3);
      const weights = await captureModelWeights(first.model);
      const state = await first.step.captureOptimizer();
      const second = setup(optimizer, "auto");
      restoreModelWeights(second.model, weights);
      await second.step.restoreOptimizer(state);
      const before = tf.memory().numTensors;
      const resumed = await train(second.step, 3, 7);
      expect(tf.memory().numTensors).toBe(before);
      expect(resumed).toEqual(expected.slice(6));
      expect(second.model.getWeights().map((w) => Array.from(w.dataSync()))).toEqual(
        straight.model.getWeights().map((w) => Array.from(w.dataSync())),
      );
    },
  );

  it.each<[OptimizerName, "auto" | "tfjs", "auto" | "tfjs"]>([
    ["adam", "auto", "tfjs"],
    ["adam", "tfjs", "auto"],
    ["rmsprop", "auto", "tfjs"],
    ["rmsprop", "tfjs", "auto"],
    ["sgd", "auto", "tfjs"],
  ])("%s: state saved by the %s step → restores into the %s step unchanged", async (optimizer, from, to) => {
    const source = setup(optimizer, from);
    await train(source.step, 0, 4);
    const saved = await source.step.captureOptimizer();
    const target = setup(optimizer, to);
    await target.step.restoreOptimizer(saved);
    expect(valuesOf(await target.step.captureOptimizer())).toEqual(valuesOf(saved));
    // And training goes on from it: the same steps as the source's own, to float32 rounding.
    restoreModelWeights(target.model, await captureModelWeights(source.model));
    const expected = await train(source.step, 4, 8);
    const got = await train(target.step, 4, 8);
    got.forEach((value, i) => {
      expect(value).toBeCloseTo(expected[i] as number, 5);
    });
  });
});

describe("TrainStep.gradients + applyGradients", () => {
  /** The same batches as `train`, each step through the two halves. */
  async function trainInHalves(step: TrainStep, from: number, to: number): Promise<number[]> {
    const losses: number[] = [];
    for (let s = from; s < to; s++) {
      const xs = tf.tensor2d(
        Array.from({ length: 8 * 4 }, (_, i) => Math.cos(i * 1.3 + s)),
        [8, 4],
      );
      const ys = tf.tensor1d(Array.from({ length: 8 }, (_, i) => (i + s) % 3));
      const { values, gradients } = await step.gradients(xs, ys);
      await step.applyGradients(gradients);
      losses.push(...values);
      tf.dispose([xs, ys]);
    }
    return losses;
  }

  it.each<["auto" | "tfjs", OptimizerName]>([
    ["auto", "adam"],
    ["tfjs", "adam"],
    ["tfjs", "sgd"],
  ])(
    "%s step, %s → the same losses and weights as train(), and no tensor left behind",
    async (mode, optimizer) => {
      const whole = setup(optimizer, mode);
      const halves = setup(optimizer, mode);
      // The first step creates the optimizers' slots; from then on the count stays flat.
      const a = await train(whole.step, 0, 1);
      const b = await trainInHalves(halves.step, 0, 1);
      const before = tf.memory().numTensors;
      a.push(...(await train(whole.step, 1, 4)));
      b.push(...(await trainInHalves(halves.step, 1, 4)));
      expect(tf.memory().numTensors).toBe(before);
      // The fused step is the same code either way; tfjs's trainOnBatch differs from
      // computeGradients + applyGradients only by float32 rounding.
      const tolerance = mode === "auto" ? 0 : 1e-5;
      const worst = (x: number[], y: number[]) =>
        Math.max(0, ...x.map((v, i) => Math.abs(v - (y[i] as number))));
      expect(worst(b, a)).toBeLessThanOrEqual(tolerance);
      const wa = whole.model.getWeights().flatMap((w) => Array.from(w.dataSync()));
      const wb = halves.model.getWeights().flatMap((w) => Array.from(w.dataSync()));
      expect(wb.length).toBe(wa.length);
      expect(worst(wb, wa)).toBeLessThanOrEqual(tolerance);
    },
  );
});
