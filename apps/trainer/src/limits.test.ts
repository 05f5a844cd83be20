import { stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { runInProcess } from "./cli-capture.ts";
import {
  checkBatchMemory,
  checkModelSize,
  denseParams,
  MAX_LAYERS,
  tensorMemory,
  topologyLayers,
  WASM_HEAP_BYTES,
} from "./limits.ts";
import { tempDir, writeToyCsv } from "./test-helpers.ts";

const GiB = 2 ** 30;
const limit = { bytes: 8 * GiB, what: "this machine's memory" };

describe("size limits", () => {
  it("dense parameters → (inputs + 1) × units per layer", () => {
    expect(denseParams(4, [8, 3])).toBe(5 * 8 + 9 * 3);
    expect(denseParams(4, [100_000_000, 3])).toBe(800_000_003);
  });

  it("a batch whose buffers exceed memory → refused naming the size and the limit; a large one that fits → fine", () => {
    expect(() => checkBatchMemory(2 ** 53 - 1, 4, limit)).toThrow(
      /^--batch-size 9007199254740991 needs 480 PiB for its batch buffers .*; the limit is 8 GiB \(this machine's memory\); lower --batch-size$/,
    );
    expect(() => checkBatchMemory(1_000_000, 100, limit)).not.toThrow();
  });

  it("a model beyond the wasm heap → refused with its size, the limit and the way out (--backend cpu)", () => {
    const size = {
      given: "--model mlp:100000000",
      layers: 2,
      params: denseParams(4, [100_000_000, 3]),
      widths: [100_000_000, 3],
      batchSize: 32,
      optimizer: "adam",
    };
    expect(() =>
      checkModelSize(size, tensorMemory("wasm", { bytes: 64 * GiB, what: "this machine's memory" })),
    ).toThrow(
      /^--model mlp:100000000 needs 35\.8 GiB: 800,000,003 parameters .* the limit is 4 GiB \(the wasm backend's heap\); use a smaller model or --backend cpu$/,
    );
    expect(() => checkModelSize({ ...size, params: 1000, widths: [8, 3] }, limit)).not.toThrow();
  });

  it("more layers than MAX_LAYERS → refused before tfjs recurses through them", () => {
    const size = {
      given: "--model-json deep.json",
      layers: MAX_LAYERS + 1,
      params: 10,
      widths: [],
      batchSize: 1,
      optimizer: "sgd",
    };
    expect(() => checkModelSize(size, limit)).toThrow(
      /^--model-json deep\.json has 1001 layers, more than the 1000/,
    );
    expect(() => checkModelSize({ ...size, layers: MAX_LAYERS }, limit)).not.toThrow();
  });

  it("the wasm heap bounds wasm tensors; cpu tensors are bounded by the machine", () => {
    const big = { bytes: 64 * GiB, what: "this machine's memory" };
    expect(tensorMemory("wasm", big).bytes).toBe(WASM_HEAP_BYTES);
    expect(tensorMemory("cpu", big)).toEqual(big);
    expect(tensorMemory("wasm", { bytes: GiB, what: "x" }).bytes).toBe(GiB);
  });

  it("model.json topologies → their layer count (Sequential, functional, bare), else null", () => {
    expect(topologyLayers({ modelTopology: { config: { layers: [{}, {}] } } })).toBe(2);
    expect(topologyLayers({ config: [{}, {}, {}] })).toBe(3);
    expect(topologyLayers({ modelTopology: {} })).toBeNull();
  });
});

describe("trainer commands: sizes that cannot work fail at once, in one line", () => {
  const dir = tempDir("limits-");
  let data: string;
  let run: string;
  const base = ["--label", "kind", "--seed", "1", "--epochs", "1"];
  beforeAll(async () => {
    data = join(dir, "toy.csv");
    await writeToyCsv(data, 30);
    run = join(dir, "run");
    expect(
      (
        await runInProcess([
          "train",
          ...base,
          "--model",
          "mlp:4",
          "--backend",
          "cpu",
          "--data",
          data,
          "--out",
          run,
        ])
      ).code,
    ).toBe(0);
    const deep = Array.from({ length: MAX_LAYERS + 1 }, (_, i) => ({
      class_name: "Dense",
      config: { name: `d${i}`, units: 2, ...(i === 0 ? { batch_input_shape: [null, 5] } : {}) },
    }));
    await writeFile(
      join(dir, "deep.json"),
      JSON.stringify({ modelTopology: { class_name: "Sequential", config: { name: "deep", layers: deep } } }),
    );
  });

  const cases: [string, () => string[], RegExp][] = [
    [
      "train --batch-size 2^53 − 1",
      () => ["train", ...base, "--batch-size", "9007199254740991"],
      /^error: --batch-size 9007199254740991 needs .* for its batch buffers .*; the limit is .*; lower --batch-size\n$/,
    ],
    [
      "train --epochs 2^53 − 1",
      () => ["train", ...base.slice(0, -2), "--epochs", "9007199254740991"],
      /^error: epochs 9007199254740991 \(from initialEpoch 0\) plans .* more than the 100000 a plan lists/,
    ],
    [
      "train --model mlp:100000000 on wasm",
      () => ["train", ...base, "--model", "mlp:100000000", "--backend", "wasm"],
      /^error: --model mlp:100000000 needs .* GiB: .* the limit is .*\n$/,
    ],
    [
      "train a model of 5000 hidden layers",
      () => ["train", ...base, "--model", `mlp:${Array(5000).fill(4).join(",")}`],
      /^error: --model mlp:4,4,.*… \(5000 hidden layers\) has 5001 layers, more than the 1000 a model may have/,
    ],
    [
      "train --model-json of 1001 layers",
      () => ["train", ...base, "--model-json", join(dir, "deep.json")],
      /^error: --model-json .*deep\.json has 1001 layers, more than the 1000/,
    ],
    [
      "inspect --batch-size 2^53 − 1",
      () => ["inspect", ...base, "--batch-size", "9007199254740991"],
      /^error: --batch-size 9007199254740991 needs/,
    ],
    [
      "predict --batch-size 2^53 − 1",
      () => ["predict", "--run", run, "--out", "-", "--batch-size", "9007199254740991", "--backend", "cpu"],
      /^error: --batch-size 9007199254740991 needs/,
    ],
  ];

  it.each(cases)(
    "%s → one line naming the size and the limit, exit 1, no run folder",
    async (_, args, message) => {
      const out = join(dir, "no-run");
      const given = [...args(), "--data", data];
      const result = await runInProcess(given[0] === "train" ? [...given, "--out", out] : given);
      expect(result.stderr).toMatch(message);
      expect(result.stderr.trim().split("\n")).toHaveLength(1);
      expect(result.code).toBe(1);
      await expect(stat(out)).rejects.toThrow(/ENOENT/);
    },
  );
});
