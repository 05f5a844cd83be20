import * as tf from "@tensorflow/tfjs";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import type { Task } from "./build.ts";
import { headStep } from "./heads.ts";

beforeAll(async () => {
  tf.env().set("PROD", true);
  await tf.setBackend("cpu");
});

const EPSILON = 1e-7; // tfjs-layers' epsilon() on float32 backends

/** tfjs-layers' loss for the task's head, on pre-activations z (what model.compile would use). */
function referenceLoss(task: Task, z: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  const [batchSize, units] = z.shape;
  switch (task) {
    case "classification": {
      // sparseCategoricalCrossentropy = clip, then categoricalCrossentropy against the one-hot labels.
      const p = tf.clipByValue(tf.softmax(z), EPSILON, 1 - EPSILON);
      const target = tf.oneHot(tf.cast(labels, "int32"), units);
      return tf.mean(tf.metrics.categoricalCrossentropy(target, p));
    }
    case "binary":
      return tf.mean(tf.metrics.binaryCrossentropy(labels.reshape([batchSize, 1]), tf.sigmoid(z)));
    case "regression":
      return tf.mean(tf.metrics.meanSquaredError(labels.reshape([batchSize, 1]), z));
  }
}

function referenceMetric(task: Task, z: tf.Tensor2D, labels: tf.Tensor1D): number {
  const [batchSize] = z.shape;
  const column = labels.reshape([batchSize, 1]);
  const metric =
    task === "classification"
      ? tf.metrics.sparseCategoricalAccuracy(labels, tf.softmax(z))
      : task === "binary"
        ? tf.metrics.binaryAccuracy(column, tf.sigmoid(z))
        : tf.metrics.meanAbsoluteError(column, z);
  return tf.mean(metric).dataSync()[0] as number;
}

const zValue = (scale: number) => fc.double({ min: -scale, max: scale, noNaN: true });

const cases = fc
  .record({
    task: fc.constantFrom<Task>("classification", "binary", "regression"),
    batchSize: fc.integer({ min: 1, max: 6 }),
    numClasses: fc.integer({ min: 2, max: 5 }),
    // Large pre-activations saturate the softmax/sigmoid into tfjs's clipped region.
    scale: fc.constantFrom(3, 40),
  })
  .chain(({ task, batchSize, numClasses, scale }) => {
    const units = task === "classification" ? numClasses : 1;
    const label =
      task === "classification"
        ? fc.integer({ min: 0, max: numClasses - 1 })
        : task === "binary"
          ? fc.oneof(fc.constantFrom(0, 1), fc.double({ min: 0, max: 1, noNaN: true }))
          : fc.double({ min: -5, max: 5, noNaN: true });
    return fc.record({
      task: fc.constant(task),
      batchSize: fc.constant(batchSize),
      units: fc.constant(units),
      z: fc.array(zValue(scale), { minLength: batchSize * units, maxLength: batchSize * units }),
      labels: fc.array(label, { minLength: batchSize, maxLength: batchSize }),
    });
  });

describe("headStep", () => {
  it("random pre-activations, saturated ones included → tfjs-layers' loss, metric and gradient", () => {
    fc.assert(
      fc.property(cases, ({ task, batchSize, units, z, labels }) => {
        const zs = Float32Array.from(z);
        // Near-ties of the top two logits are decided by float32 rounding of the softmax in tfjs.
        for (let b = 0; task === "classification" && b < batchSize; b++) {
          const row = Array.from(zs.subarray(b * units, (b + 1) * units)).sort((x, y) => y - x);
          fc.pre((row[0] as number) - (row[1] as number) > 1e-4);
        }
        const ys = Float32Array.from(labels);
        const dz = new Float32Array(zs.length);
        const got = headStep(task, zs, ys, batchSize, units, dz);
        tf.tidy(() => {
          const zt = tf.tensor2d(zs, [batchSize, units]);
          const yt = tf.tensor1d(ys);
          const { value, grad } = tf.valueAndGrad((x: tf.Tensor) =>
            referenceLoss(task, x as tf.Tensor2D, yt),
          )(zt);
          const loss = value.dataSync()[0] as number;
          expect(Math.abs(got.loss - loss)).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(loss)));
          const expected = grad.dataSync();
          dz.forEach((g, i) => {
            const e = expected[i] as number;
            // float32 (tfjs) against double (here): relative for large values, absolute near zero.
            expect(Math.abs(g - e)).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(e)));
          });
          expect(got.metric).toBeCloseTo(referenceMetric(task, zt, yt), 5);
        });
      }),
      { numRuns: 1000 },
    );
  });

  // A sigmoid output within ε of 0 or 1 is clipped by tfjs's binary cross-entropy, which stops
  // its gradient; just outside the clip the gradient is large, so a missing mask shows here.
  it.each([
    { z: 16.5, label: 0, clipped: true },
    { z: -16.5, label: 1, clipped: true },
    { z: 15, label: 0, clipped: false },
    { z: -15, label: 1, clipped: false },
  ])(
    "binary output saturated at z=$z, label $label → gradient as tfjs's (clipped: $clipped)",
    ({ z, label, clipped }) => {
      const dz = new Float32Array(1);
      headStep("binary", Float32Array.of(z), Float32Array.of(label), 1, 1, dz);
      const expected = tf.tidy(
        () =>
          tf
            .grad((x: tf.Tensor) => referenceLoss("binary", x as tf.Tensor2D, tf.tensor1d([label])))(
              tf.tensor2d([[z]]),
            )
            .dataSync()[0],
      ) as number;
      if (clipped) expect(dz[0]).toBe(0);
      else expect(Math.abs(dz[0] as number)).toBeGreaterThan(0.1);
      expect(dz[0]).toBeCloseTo(expected, 4);
    },
  );

  it("class index outside the output → RangeError naming it", () => {
    const dz = new Float32Array(3);
    expect(() => headStep("classification", new Float32Array(3), Float32Array.of(3), 1, 3, dz)).toThrow(
      "label 3 is not a class index below 3",
    );
  });
});
