import * as tf from "@tensorflow/tfjs";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import type { OptimizerName } from "../train/config.ts";
import { makeOptimizer } from "./build.ts";
import { arrayOptimizer } from "./optimizers.ts";

beforeAll(async () => {
  tf.env().set("PROD", true);
  await tf.setBackend("cpu");
});

const NAMES: OptimizerName[] = ["adam", "sgd", "rmsprop"];

const finite = (max: number) =>
  fc.float({ min: Math.fround(-max), max: Math.fround(max), noNaN: true, noDefaultInfinity: true });

/** Variables (sizes), initial values and a gradient per step and variable. */
const problem = fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 3 }).chain((sizes) =>
  fc.record({
    sizes: fc.constant(sizes),
    initial: fc.tuple(...sizes.map((n) => fc.array(finite(10), { minLength: n, maxLength: n }))),
    steps: fc.array(
      fc.tuple(
        ...sizes.map((n) => fc.array(fc.oneof(finite(1e3), finite(1e-4)), { minLength: n, maxLength: n })),
      ),
      { minLength: 1, maxLength: 5 },
    ),
  }),
);

/** The same steps through tfjs's optimizer; returns the variables' final values. */
function tfjsRun(
  name: OptimizerName,
  learningRate: number,
  initial: number[][],
  steps: number[][][],
): Float32Array[] {
  const optimizer = makeOptimizer(name, learningRate);
  const variables = initial.map((values) => tf.variable(tf.tensor1d(values)));
  for (const gradients of steps) {
    const tensors = gradients.map((g) => tf.tensor1d(g));
    optimizer.applyGradients(variables.map((v, i) => ({ name: v.name, tensor: tensors[i] as tf.Tensor })));
    tf.dispose(tensors);
  }
  const out = variables.map((v) => Float32Array.from(v.dataSync()));
  tf.dispose(variables);
  optimizer.dispose();
  return out;
}

describe("arrayOptimizer", () => {
  it.each(NAMES)("%s: same gradients → bit-identical values to tfjs's optimizer", (name) => {
    fc.assert(
      fc.property(problem, fc.constantFrom(0.001, 0.01, 0.5), ({ initial, steps }, learningRate) => {
        const expected = tfjsRun(name, learningRate, initial, steps);
        const optimizer = arrayOptimizer(name, learningRate);
        const values = initial.map((v) => Float32Array.from(v));
        for (const gradients of steps)
          optimizer.apply(
            values,
            gradients.map((g) => Float32Array.from(g)),
          );
        expect(values).toEqual(expected);
      }),
      { numRuns: 60 },
    );
  });

  it.each(NAMES)("%s: state saved and restored mid-run → same values as an uninterrupted run", (name) => {
    fc.assert(
      fc.property(problem, fc.nat(), ({ initial, steps }, cutSeed) => {
        const cut = cutSeed % (steps.length + 1);
        const run = (
          values: Float32Array[],
          optimizer: ReturnType<typeof arrayOptimizer>,
          from: number,
          to: number,
        ) => {
          for (const gradients of steps.slice(from, to))
            optimizer.apply(
              values,
              gradients.map((g) => Float32Array.from(g)),
            );
        };
        const straight = initial.map((v) => Float32Array.from(v));
        run(straight, arrayOptimizer(name), 0, steps.length);
        const resumed = initial.map((v) => Float32Array.from(v));
        const first = arrayOptimizer(name);
        run(resumed, first, 0, cut);
        const second = arrayOptimizer(name);
        second.setState(first.getState());
        run(resumed, second, cut, steps.length);
        expect(resumed).toEqual(straight);
        expect(second.getState().iteration).toBe(steps.length);
      }),
      { numRuns: 40 },
    );
  });

  it("state of another optimizer → error naming both", () => {
    const adam = arrayOptimizer("adam");
    expect(() => adam.setState(arrayOptimizer("sgd").getState())).toThrow(
      "optimizer state is for sgd, the run uses adam",
    );
  });

  it("state for other variable sizes → error on the next step", () => {
    const first = arrayOptimizer("adam");
    first.apply([new Float32Array(3)], [new Float32Array(3)]);
    const second = arrayOptimizer("adam");
    second.setState(first.getState());
    expect(() => second.apply([new Float32Array(4)], [new Float32Array(4)])).toThrow(
      "optimizer state for variable 0 holds 3 values, the variable has 4",
    );
  });

  it.each([0, -1, Number.NaN])("learning rate %s → error quoting it", (learningRate) => {
    expect(() => arrayOptimizer("sgd", learningRate)).toThrow(
      `learningRate must be a positive number, got ${learningRate}`,
    );
  });
});
