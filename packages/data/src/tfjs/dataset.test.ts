import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import type { Batch } from "../types.ts";
import { asTfDataset } from "./dataset.ts";
import { classifier, epochBatches, makeBatch, separableRows } from "./test-helpers.ts";

beforeAll(async () => {
  await tf.setBackend("cpu");
  tf.env().set("IS_TEST", true); // no "install tfjs-node" hint in the test output
});

describe("asTfDataset", () => {
  it("iterated directly → {xs, ys} tensors with the batches' shapes and values", async () => {
    const batches = [
      makeBatch(
        [
          [1, 2],
          [3, 4],
        ],
        [1, 0],
      ),
      makeBatch([[5, 6]], [2]),
    ];
    const ds = asTfDataset(
      async function* () {
        yield* batches;
      },
      { task: "classification" },
    );
    const seen: Array<{ xs: number[][]; ys: number[]; shape: number[]; dtype: string }> = [];
    await ds.forEachAsync(({ xs, ys }) => {
      seen.push({ xs: xs.arraySync(), ys: ys.arraySync() as number[], shape: xs.shape, dtype: ys.dtype });
      tf.dispose([xs, ys]);
    });
    expect(seen).toEqual([
      {
        xs: [
          [1, 2],
          [3, 4],
        ],
        ys: [1, 0],
        shape: [2, 2],
        dtype: "float32",
      },
      { xs: [[5, 6]], ys: [2], shape: [1, 2], dtype: "float32" },
    ]);
  });

  it("fitDataset with batchesPerEpoch S → trains on exactly epochs × S batches, in order, and learns", async () => {
    const rows = separableRows(30);
    const stepsPerEpoch = 4; // 30 rows / 8 = 4 batches per pass: one pass per epoch
    const epochs = 12;
    const steps: number[] = [];
    const ds = asTfDataset(
      async function* () {
        for await (const batch of epochBatches(rows, 8, stepsPerEpoch, epochs)) {
          steps.push(batch.step);
          yield batch;
        }
      },
      { task: "classification" },
    );
    const model = classifier();
    const history = await model.fitDataset(ds, { batchesPerEpoch: stepsPerEpoch, epochs, verbose: 0 });
    expect(steps).toEqual(Array.from({ length: epochs * stepsPerEpoch }, (_, s) => s));
    expect(history.history.loss).toHaveLength(epochs);
    const acc = history.history.acc as number[];
    expect(acc.at(-1)).toBeGreaterThan(0.9);
    model.dispose();
  });

  it("many epochs of fitDataset with validation → tf.memory().numTensors flat from epoch to epoch", async () => {
    const rows = separableRows(20);
    const stepsPerEpoch = 3; // 20 rows / 6 = 4 batches per pass, so epochs cross pass boundaries
    const epochs = 25;
    const train = asTfDataset(() => epochBatches(rows, 6, stepsPerEpoch, epochs), {
      task: "classification",
    });
    const validation = asTfDataset(() => epochBatches(rows, 10, 2, 1), { task: "classification" });
    const model = classifier();
    const counts: number[] = [];
    await model.fitDataset(train, {
      batchesPerEpoch: stepsPerEpoch,
      epochs,
      validationData: validation,
      verbose: 0,
      callbacks: { onEpochEnd: async () => void counts.push(tf.memory().numTensors) },
    });
    // Epoch 0 creates the optimizer's slots; after that nothing may accumulate.
    expect(counts).toHaveLength(epochs);
    expect(new Set(counts.slice(1)).size).toBe(1);
    expect(tf.memory().numTensors).toBe(counts.at(-1));
    model.dispose();
  });

  it("dataset opened again → batches() called again and starts over (as validation needs)", async () => {
    let calls = 0;
    const ds = asTfDataset(
      async function* (): AsyncGenerator<Batch> {
        calls++;
        yield makeBatch([[calls]], [0]);
      },
      { task: "regression" },
    );
    const firsts: number[] = [];
    for (let i = 0; i < 3; i++) {
      const it = await ds.iterator();
      const { value } = await it.next();
      firsts.push((value.xs as tf.Tensor).dataSync()[0] as number);
      tf.dispose(value);
    }
    expect(firsts).toEqual([1, 2, 3]);
  });
});
