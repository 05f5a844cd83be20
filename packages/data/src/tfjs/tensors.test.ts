import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { TensorAdapterError } from "./errors.ts";
import { batchToTensors } from "./tensors.ts";
import { makeBatch } from "./test-helpers.ts";

beforeAll(async () => {
  await tf.setBackend("cpu");
  tf.env().set("IS_TEST", true); // no "install tfjs-node" hint in the test output
});

const features = [
  [1, 2, 3],
  [4, 5, 6],
];

describe("batchToTensors", () => {
  it("classification batch → xs float32 [B, F] and ys float32 [B] with the same values", () => {
    const { xs, ys } = batchToTensors(makeBatch(features, [2, 0]), { task: "classification" });
    expect(xs.shape).toEqual([2, 3]);
    expect(xs.dtype).toBe("float32");
    expect(xs.arraySync()).toEqual(features);
    expect(ys.shape).toEqual([2]);
    expect(ys.dtype).toBe("float32");
    expect(ys.arraySync()).toEqual([2, 0]);
    tf.dispose([xs, ys]);
  });

  it.each([
    ["regression", [1.5, -2.25]],
    ["binary", [1, 0]],
  ] as const)("%s batch → ys float32 [B, 1]", (task, labels) => {
    const { xs, ys } = batchToTensors(makeBatch(features, [...labels]), { task });
    expect(xs.shape).toEqual([2, 3]);
    expect(ys.shape).toEqual([2, 1]);
    expect(ys.dtype).toBe("float32");
    expect(ys.arraySync()).toEqual(labels.map((y) => [y]));
    tf.dispose([xs, ys]);
  });

  it("batch arrays overwritten after conversion → tensors keep the values they were given", () => {
    const batch = makeBatch(features, [1.5, 2.5]);
    const { xs, ys } = batchToTensors(batch, { task: "regression" });
    batch.xs.fill(-1);
    batch.ys.fill(-1);
    expect(xs.arraySync()).toEqual(features);
    expect(ys.arraySync()).toEqual([[1.5], [2.5]]);
    tf.dispose([xs, ys]);
  });

  it("partial batch in a full-size buffer → only the first batchSize rows become tensors", () => {
    const batch = makeBatch([...features, [7, 8, 9]], [0, 1, 2]);
    const partial = { ...batch, batchSize: 2, rows: batch.rows.slice(0, 2) };
    const { xs, ys } = batchToTensors(partial, { task: "classification" });
    expect(xs.arraySync()).toEqual(features);
    expect(ys.arraySync()).toEqual([0, 1]);
    tf.dispose([xs, ys]);
  });

  it.each([
    ["classification", 1.5, "class index"],
    ["classification", -1, "class index"],
    ["classification", Number.NaN, "class index"],
    ["binary", 2, "[0, 1]"],
    ["regression", Number.NaN, "finite number"],
    ["regression", Number.POSITIVE_INFINITY, "finite number"],
  ] as const)("%s label %s → TensorAdapterError naming the row and %s", (task, bad, expected) => {
    const before = tf.memory().numTensors;
    const batch = makeBatch(features, [0, bad]);
    const call = () => batchToTensors(batch, { task });
    expect(call).toThrow(TensorAdapterError);
    expect(call).toThrow(/^data\.csv:3: data row 1: label expected .*/);
    expect(call).toThrow(expected);
    expect(tf.memory().numTensors).toBe(before);
  });

  it("arrays shorter than batchSize × numFeatures → TensorAdapterError", () => {
    const batch = { ...makeBatch(features, [0, 1]), batchSize: 3 };
    expect(() => batchToTensors(batch, { task: "classification" })).toThrow(TensorAdapterError);
  });

  it("many conversions each disposed → tf.memory().numTensors back to where it started", () => {
    const batch = makeBatch(features, [0, 1]);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 500; i++) {
      const out = batchToTensors(batch, { task: "classification" });
      expect(tf.memory().numTensors).toBe(before + 2);
      tf.dispose(out);
    }
    expect(tf.memory().numTensors).toBe(before);
  });
});
