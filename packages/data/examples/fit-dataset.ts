// A training loop outside the trainer: CSV → schema → pipeline → model.fitDataset.
// Run from the repository root (the @stepwise/source condition loads the packages from source):
//   node --conditions=@stepwise/source --import tsx packages/data/examples/fit-dataset.ts
import { createPipeline, csvSource, describeSchema, inferSchema } from "@stepwise/data";
import { asTfDataset, initBackend } from "@stepwise/data/tfjs";
import * as tf from "@tensorflow/tfjs";

const paths = new URL("../../../examples/iris/iris.csv", import.meta.url).pathname;
const schema = await inferSchema({ paths, label: "species" }); // one streaming pass: kinds, statistics
console.log(describeSchema(schema));

const pipeline = await createPipeline({
  source: csvSource({ paths, schema, numSamples: schema.fit.rowsUsed }),
  batchSize: 16,
  seed: 7,
  stepsPerEpoch: 12, // epochs of exactly 12 steps; passes are reshuffled from (seed, pass)
  epochs: 5,
});
console.log(`stepsPerPass ${pipeline.plan.stepsPerPass}, stepsPerEpoch ${pipeline.plan.stepsPerEpoch}`);

await initBackend("wasm");
const model = tf.sequential({
  layers: [
    tf.layers.dense({ inputShape: [schema.numFeatures], units: 16, activation: "relu" }),
    tf.layers.dense({ units: 3, activation: "softmax" }),
  ],
});
model.compile({
  optimizer: tf.train.adam(0.01),
  loss: "sparseCategoricalCrossentropy",
  metrics: ["accuracy"],
});
const dataset = asTfDataset(() => pipeline.batches(), { task: "classification" });
const history = await model.fitDataset(dataset, {
  epochs: pipeline.plan.endEpoch,
  batchesPerEpoch: pipeline.plan.stepsPerEpoch as number,
  verbose: 0,
});
await pipeline.close();
console.log("loss per epoch", history.history.loss?.map((v) => Number(v).toFixed(3)).join(" "));
