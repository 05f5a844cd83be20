// The ./tfjs subpath from the installed tarball: batches as tensors through a tf.data.Dataset
// that model.fitDataset trains on, for exactly the planned steps of every epoch.
import assert from "node:assert/strict";
import { arraySource, createPipeline } from "@stepwise/data";
import { asTfDataset, initBackend } from "@stepwise/data/tfjs";
import * as tf from "@tensorflow/tfjs";

await initBackend("cpu");
const x = Array.from({ length: 120 }, (_, i) => [(i % 40) / 40, 1 - (i % 40) / 40]);
const y = x.map(([a]) => (a > 0.5 ? 1 : 0));
const source = arraySource({ x, y });
const pipeline = await createPipeline({ source, batchSize: 8, seed: 3, stepsPerEpoch: 10, epochs: 4 });
const model = tf.sequential({
  layers: [
    tf.layers.dense({ inputShape: [2], units: 8, activation: "relu" }),
    tf.layers.dense({ units: 2, activation: "softmax" }),
  ],
});
model.compile({ optimizer: tf.train.adam(0.05), loss: "sparseCategoricalCrossentropy" });
const history = await model.fitDataset(
  asTfDataset(() => pipeline.batches(), { task: "classification" }),
  {
    epochs: pipeline.plan.endEpoch,
    batchesPerEpoch: pipeline.plan.stepsPerEpoch,
    verbose: 0,
  },
);
await pipeline.close();
const loss = history.history.loss.map(Number);
assert.equal(loss.length, 4);
assert.ok(loss.every(Number.isFinite));
assert.ok(loss[3] < loss[0], `the loss falls: ${loss.join(" ")}`);
console.log(`ok: loss ${loss.map((v) => v.toFixed(3)).join(" ")}`);
