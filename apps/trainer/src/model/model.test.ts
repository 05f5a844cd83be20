import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  buildMlp,
  compileModel,
  headFor,
  loadArchitecture,
  makeOptimizer,
  parseModelSpec,
  seedInitialisers,
} from "./build.ts";
import { modelUrl, registerFileRouters } from "./file-io.ts";
import {
  captureModelWeights,
  captureOptimizerState,
  restoreModelWeights,
  restoreOptimizerState,
} from "./state.ts";

let dir: string;
beforeAll(async () => {
  tf.env().set("PROD", true);
  await tf.setBackend("cpu");
  registerFileRouters();
  dir = await mkdtemp(join(tmpdir(), "model-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const xs = () => tf.tensor2d([0.1, 0.2, 0.3, 1, -1, 0.5, 0.7, 0.1, -0.3, 0, 0.2, 0.9], [4, 3]);
const ys = () => tf.tensor1d([0, 1, 2, 1]);

function weightsOf(model: tf.LayersModel): number[][] {
  return model.getWeights().map((w) => Array.from(w.dataSync()));
}

async function trainSteps(model: tf.LayersModel, steps: number): Promise<void> {
  const x = xs();
  const y = ys();
  for (let i = 0; i < steps; i++) await model.trainOnBatch(x, y);
  tf.dispose([x, y]);
}

function newModel(seed: number, optimizer: "adam" | "sgd" | "rmsprop" = "adam"): tf.LayersModel {
  const head = headFor("classification", 3);
  const model = buildMlp({ numFeatures: 3, hidden: [5], head, seed });
  compileModel(model, head, makeOptimizer(optimizer, 0.05));
  return model;
}

describe("model spec", () => {
  it.each([
    ["mlp:64,32", [64, 32]],
    ["mlp:8", [8]],
    ["mlp: 4, 2", [4, 2]],
    ["mlp:", []],
  ])("%s → hidden widths %j", (spec, widths) => {
    expect(parseModelSpec(spec)).toEqual(widths);
  });

  it.each(["mlp:0", "cnn:3", "mlp:a,b", "64,32"])("%s → a one-line usage error", (spec) => {
    expect(() => parseModelSpec(spec)).toThrow(/--model must look like mlp:64,32/);
  });

  it.each([
    ["classification", 4, "softmax", 4, "sparseCategoricalCrossentropy", ["accuracy"]],
    ["binary", 2, "sigmoid", 1, "binaryCrossentropy", ["accuracy"]],
    ["regression", 0, "linear", 1, "meanSquaredError", ["mae"]],
  ] as const)(
    "task %s (%i classes) → %s head with %i units, %s, %j",
    (task, classes, activation, units, loss, metrics) => {
      const head = headFor(task, classes);
      expect([head.activation, head.units, head.loss, head.metricNames]).toEqual([
        activation,
        units,
        loss,
        metrics,
      ]);
    },
  );
});

describe("seeded initialisers", () => {
  it("same seed → identical initial weights; another seed → different", () => {
    const a = newModel(7);
    const b = newModel(7);
    const c = newModel(8);
    expect(weightsOf(a)).toEqual(weightsOf(b));
    expect(weightsOf(a)[0]).not.toEqual(weightsOf(c)[0]);
  });

  it("an unseeded topology → every random initialiser gets a seed, seeded ones are kept", () => {
    const topology = {
      layers: [
        {
          class_name: "Dense",
          config: { kernel_initializer: { class_name: "GlorotUniform", config: { seed: null } } },
        },
        {
          class_name: "Dense",
          config: { kernel_initializer: { class_name: "GlorotUniform", config: { seed: 5 } } },
        },
      ],
    };
    const seeded = seedInitialisers(topology, 1) as typeof topology;
    const seeds = seeded.layers.map((layer) => layer.config.kernel_initializer.config.seed);
    expect(typeof seeds[0]).toBe("number");
    expect(seeds[1]).toBe(5);
  });

  it("a saved architecture loaded twice with the same seed → identical weights that fit the data", async () => {
    const model = newModel(1);
    const path = join(dir, "arch.json");
    await writeFile(path, JSON.stringify({ modelTopology: model.toJSON(null, false) }));
    const head = headFor("classification", 3);
    const a = await loadArchitecture(path, { numFeatures: 3, head, seed: 3 });
    const b = await loadArchitecture(path, { numFeatures: 3, head, seed: 3 });
    expect(weightsOf(a)).toEqual(weightsOf(b));
    await expect(loadArchitecture(path, { numFeatures: 4, head, seed: 3 })).rejects.toThrow(
      /the data has 4 features/,
    );
    await expect(
      loadArchitecture(path, { numFeatures: 3, head: headFor("regression", 0), seed: 3 }),
    ).rejects.toThrow(/outputs \[null,3\], the task needs \[null, 1\]/);
  });

  it("--model-json truncated, empty or missing → a usage error naming the file and what is wrong", async () => {
    const head = headFor("classification", 3);
    const path = join(dir, "cut.json");
    await writeFile(path, JSON.stringify({ modelTopology: newModel(1).toJSON(null, false) }).slice(0, 50));
    await expect(loadArchitecture(path, { numFeatures: 3, head, seed: 3 })).rejects.toThrow(
      new RegExp(`^--model-json ${path}: not valid JSON \\(.+\\); give a tfjs model.json`),
    );
    await writeFile(path, "");
    await expect(loadArchitecture(path, { numFeatures: 3, head, seed: 3 })).rejects.toThrow(
      `--model-json ${path}: empty file, expected JSON; give a tfjs model.json`,
    );
    const missing = join(dir, "none.json");
    await expect(loadArchitecture(missing, { numFeatures: 3, head, seed: 3 })).rejects.toThrow(
      `--model-json ${missing}: no such file; give a tfjs model.json`,
    );
  });
});

describe("file:// model IO", () => {
  it("model.save(file://dir) then tf.loadLayersModel → model.json + weights.bin and the same predictions", async () => {
    const model = newModel(2);
    await trainSteps(model, 2);
    const target = join(dir, "saved");
    await model.save(modelUrl(target));
    const json = JSON.parse(await readFile(join(target, "model.json"), "utf8"));
    expect(json.weightsManifest[0].paths).toEqual(["weights.bin"]);
    const loaded = await tf.loadLayersModel(`${modelUrl(target)}/model.json`);
    const x = xs();
    const [p, q] = [model.predict(x) as tf.Tensor, loaded.predict(x) as tf.Tensor];
    expect(Array.from(q.dataSync())).toEqual(Array.from(p.dataSync()));
    tf.dispose([x, p, q]);
  });
});

describe("training state", () => {
  it.each(["adam", "sgd", "rmsprop"] as const)(
    "%s: train 25, capture, train 3 more ≡ train 25, restore into a fresh model, train 3 more (bit for bit)",
    async (optimizer) => {
      const straight = newModel(4, optimizer);
      await trainSteps(straight, 25);
      const modelState = await captureModelWeights(straight);
      const optimizerState = await captureOptimizerState(straight.optimizer);
      await trainSteps(straight, 3);

      const resumed = newModel(99, optimizer);
      restoreModelWeights(resumed, modelState);
      // Build the optimizer's slots by restoring before the first step, as a resumed run does.
      await restoreOptimizerState(resumed.optimizer, optimizerState);
      await trainSteps(resumed, 3);
      expect(weightsOf(resumed)).toEqual(weightsOf(straight));
    },
  );

  it("capturing state every epoch → no tensors left behind", async () => {
    const model = newModel(5);
    await trainSteps(model, 1);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) {
      await captureModelWeights(model);
      await captureOptimizerState(model.optimizer);
      await trainSteps(model, 1);
    }
    expect(tf.memory().numTensors).toBe(before);
  });
});
