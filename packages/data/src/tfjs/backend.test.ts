import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { initBackend } from "./backend.ts";
import { asTfDataset } from "./dataset.ts";
import { classifier, epochBatches, separableRows } from "./test-helpers.ts";

describe("initBackend in Node", () => {
  it("wasm requested → wasm active with no warning, and a model trains on it without leaks", async () => {
    const result = await initBackend("wasm");
    expect(result).toEqual({ backend: "wasm", warning: null });
    expect(tf.getBackend()).toBe("wasm");

    const model = classifier(3);
    const rows = separableRows(30);
    const epochs = 15;
    const counts: number[] = [];
    const ds = asTfDataset(() => epochBatches(rows, 8, 4, epochs), { task: "classification" });
    const history = await model.fitDataset(ds, {
      batchesPerEpoch: 4,
      epochs,
      verbose: 0,
      callbacks: { onEpochEnd: async () => void counts.push(tf.memory().numTensors) },
    });
    const loss = history.history.loss as number[];
    expect(loss.at(-1)).toBeLessThan((loss[0] as number) / 2);
    expect(new Set(counts.slice(1)).size).toBe(1);
    model.dispose();
  });

  it("cpu requested after wasm → cpu active; wasm again → wasm active, no warning", async () => {
    expect(await initBackend("cpu")).toEqual({ backend: "cpu", warning: null });
    expect(tf.getBackend()).toBe("cpu");
    expect(await initBackend("wasm")).toEqual({ backend: "wasm", warning: null });
    expect(tf.getBackend()).toBe("wasm");
  });
});
