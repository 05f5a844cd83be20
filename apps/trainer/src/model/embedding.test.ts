import { join } from "node:path";
import { initBackend } from "@stepwise/data/tfjs";
import * as tf from "@tensorflow/tfjs";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tempDir } from "../test-helpers.ts";
import { compileModel, headFor, makeOptimizer } from "./build.ts";
import { denseLayersOf } from "./dense-step.ts";
import { buildEmbeddingMlp, Columns, embeddingShape } from "./embedding.ts";
import { fileHandler } from "./file-io.ts";

const dir = tempDir("embedding-");
beforeAll(async () => {
  tf.env().set("PROD", true);
  await tf.setBackend("cpu");
});
afterAll(async () => {
  await tf.setBackend("cpu");
});

/** 2 dense inputs, then an index in [0, 12): the label is 1 for even indices. */
const layout = {
  dense: [0, 1],
  embeddings: [{ name: "origin airport", column: 2, rows: 12, dim: 3 }],
};

function toyBatch(seed: number, size: number): { xs: tf.Tensor2D; ys: tf.Tensor2D } {
  let state = seed;
  const next = () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state / 2 ** 32;
  };
  const rows: number[][] = [];
  const labels: number[][] = [];
  for (let i = 0; i < size; i++) {
    const index = Math.floor(next() * 12);
    rows.push([next() - 0.5, next() - 0.5, index]);
    labels.push([index % 2 === 0 ? 1 : 0]);
  }
  return { xs: tf.tensor2d(rows), ys: tf.tensor2d(labels) };
}

describe("embedding model", () => {
  it("Columns → the chosen columns of each row, in the given order", () => {
    const x = tf.tensor2d([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    const picked = new Columns({ columns: [2, 0] }).apply(x) as tf.Tensor;
    expect(picked.arraySync()).toEqual([
      [3, 1],
      [6, 4],
    ]);
    tf.dispose([x, picked]);
  });

  it("the wasm UnsortedSegmentSum kernel → the cpu backend's sums (to float32 rounding)", async () => {
    const cases = fc.sample(
      fc.record({
        segments: fc.integer({ min: 1, max: 9 }),
        ids: fc.array(fc.integer({ min: 0, max: 8 }), { minLength: 1, maxLength: 30 }),
        inner: fc.integer({ min: 1, max: 4 }),
        seed: fc.integer({ min: 1, max: 1000 }),
      }),
      { numRuns: 25, seed: 7 },
    );
    const run = (c: (typeof cases)[number]) =>
      tf.tidy(() => {
        const values = tf.randomUniform([c.ids.length, c.inner], -1, 1, "float32", c.seed);
        const ids = tf.tensor1d(
          c.ids.map((id) => id % c.segments),
          "int32",
        );
        return tf.unsortedSegmentSum(values, ids, c.segments).arraySync();
      });
    await tf.setBackend("cpu");
    const expected = cases.map(run);
    await initBackend("wasm");
    expect(tf.getBackend()).toBe("wasm");
    const actual = cases.map(run);
    // The same sums; the cpu kernel adds in another order, so float32 rounding may differ.
    const flat = (rows: unknown) => (rows as number[][]).flat();
    actual.forEach((rows, i) => {
      const want = flat(expected[i]);
      expect(flat(rows)).toHaveLength(want.length);
      for (const [j, value] of flat(rows).entries()) {
        expect(Math.abs(value - (want[j] as number))).toBeLessThan(1e-5);
      }
    });
  });

  it("trained on wasm → learns an index-only label, no tensor leaks per step, takes trainOnBatch, and saves and loads", async () => {
    await initBackend("wasm");
    const head = headFor("binary", 2);
    const model = buildEmbeddingMlp({ numFeatures: 3, layout, hidden: [8], head, seed: 5 });
    compileModel(model, head, makeOptimizer("adam", 0.05));
    expect(denseLayersOf(model, "binary")).toMatch(/is an Embedding: the fused step runs Dense stacks only/);
    expect(embeddingShape(layout)).toEqual({ denseInputs: 2 + 3, embeddingParams: 12 * 3 });
    const { xs, ys } = toyBatch(3, 256);
    await model.trainOnBatch(xs, ys); // first step allocates the optimizer's slots
    const before = tf.memory().numTensors;
    let accuracy = 0;
    for (let step = 0; step < 60; step++) {
      const [, acc] = (await model.trainOnBatch(xs, ys)) as number[];
      accuracy = acc as number;
    }
    expect(tf.memory().numTensors).toBe(before);
    expect(accuracy).toBe(1);

    await model.save(fileHandler(join(dir, "model")));
    const loaded = await tf.loadLayersModel(fileHandler(join(dir, "model")));
    const [a, b] = [model.predict(xs) as tf.Tensor, loaded.predict(xs) as tf.Tensor];
    expect(await b.data()).toEqual(await a.data());
    tf.dispose([a, b, xs, ys]);
    loaded.dispose();
    model.dispose();
  });
});
