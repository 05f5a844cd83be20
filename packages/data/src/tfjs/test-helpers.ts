// Builders shared by this folder's tests (not exported from the package).
import * as tf from "@tensorflow/tfjs";
import type { Batch, RowRef } from "../types.ts";

export function makeBatch(
  xs: number[][],
  ys: number[],
  extra: Partial<Omit<Batch, "xs" | "ys" | "batchSize" | "numFeatures">> = {},
): Batch {
  const numFeatures = xs[0]?.length ?? 0;
  const rows: RowRef[] = ys.map((_, i) => ({ index: i, file: "data.csv", fileIndex: 0, line: i + 2 }));
  return {
    step: 0,
    epoch: 0,
    stepInEpoch: 0,
    pass: 0,
    batchInPass: 0,
    rows,
    ...extra,
    batchSize: ys.length,
    numFeatures,
    xs: Float32Array.from(xs.flat()),
    ys: Float32Array.from(ys),
  };
}

/**
 * A small separable 3-class problem: sample i has class i % 3 and features that point at it.
 * Deterministic, so that tests need no random source.
 */
export function separableRows(numSamples: number): { xs: number[][]; ys: number[] } {
  const xs: number[][] = [];
  const ys: number[] = [];
  for (let i = 0; i < numSamples; i++) {
    const label = i % 3;
    const jitter = ((i * 7) % 11) / 22 - 0.25;
    xs.push([label === 0 ? 2 : 0, label === 1 ? 2 : 0, label === 2 ? 2 : 0, jitter]);
    ys.push(label);
  }
  return { xs, ys };
}

/**
 * Every batch of `epochs` epochs of `stepsPerEpoch` steps over `numSamples` samples in order,
 * passes repeating endlessly and batches never spanning a pass (the shape of a real run).
 */
export async function* epochBatches(
  rows: { xs: number[][]; ys: number[] },
  batchSize: number,
  stepsPerEpoch: number,
  epochs: number,
): AsyncGenerator<Batch> {
  const numSamples = rows.ys.length;
  const batchesPerPass = Math.ceil(numSamples / batchSize);
  for (let step = 0; step < stepsPerEpoch * epochs; step++) {
    const pass = Math.floor(step / batchesPerPass);
    const batchInPass = step % batchesPerPass;
    const start = batchInPass * batchSize;
    const end = Math.min(start + batchSize, numSamples);
    yield makeBatch(rows.xs.slice(start, end), rows.ys.slice(start, end), {
      step,
      epoch: Math.floor(step / stepsPerEpoch),
      stepInEpoch: step % stepsPerEpoch,
      pass,
      batchInPass,
      rows: rows.ys.slice(start, end).map((_, k) => ({
        index: start + k,
        file: "data.csv",
        fileIndex: 0,
        line: start + k + 2,
      })),
    });
  }
}

/** A compiled 4 → 8 → 3 softmax classifier for `separableRows`, its kernels seeded from `seed` and `seed + 1`. */
export function classifier(seed = 1): tf.LayersModel {
  const model = tf.sequential({
    layers: [
      tf.layers.dense({
        units: 8,
        inputShape: [4],
        activation: "relu",
        kernelInitializer: tf.initializers.glorotUniform({ seed }),
      }),
      tf.layers.dense({
        units: 3,
        activation: "softmax",
        kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }),
      }),
    ],
  });
  model.compile({
    optimizer: tf.train.adam(0.05),
    loss: "sparseCategoricalCrossentropy",
    metrics: ["accuracy"],
  });
  return model;
}
