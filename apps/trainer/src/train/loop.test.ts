import { type Plan, plan } from "@stepwise/core";
import type { Batch } from "@stepwise/data";
import { batchToTensors } from "@stepwise/data/tfjs";
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { metricsAccumulator } from "../metrics/metrics.ts";
import { buildMlp, compileModel, headFor, makeOptimizer } from "../model/build.ts";
import { type EncodedWeights, restoreModelWeights } from "../model/state.ts";
import type { EpochRecord } from "../run/history.ts";
import type { Progress } from "../run/progress.ts";
import { evaluateBatches, type LoopData, type LoopOptions, trainLoop } from "./loop.ts";

beforeAll(async () => {
  tf.env().set("PROD", true);
  await tf.setBackend("cpu");
});

// Two separable classes in 2-D: label = x0 > x1.
function samples(count: number, offset: number): { xs: number[][]; ys: number[] } {
  const xs: number[][] = [];
  const ys: number[] = [];
  for (let i = 0; i < count; i++) {
    const a = Math.sin(i * 12.9898 + offset);
    const b = Math.cos(i * 78.233 + offset);
    xs.push([a, b]);
    ys.push(a > b ? 1 : 0);
  }
  return { xs, ys };
}

function batchOf(data: { xs: number[][]; ys: number[] }, start: number, end: number, step: number): Batch {
  const rows = data.xs.slice(start, end);
  return {
    step,
    epoch: 0,
    stepInEpoch: 0,
    pass: 0,
    batchInPass: 0,
    batchSize: rows.length,
    numFeatures: 2,
    xs: Float32Array.from(rows.flat()),
    ys: Float32Array.from(data.ys.slice(start, end)),
    rows: [],
  };
}

/** Plays the plan's batches in file order (shuffling is the pipeline's business, not the loop's). */
function fakeData(
  p: Plan,
  train: { xs: number[][]; ys: number[] },
  validation: { xs: number[][]; ys: number[] },
): LoopData & { stepsSeen: number[] } {
  const stepsSeen: number[] = [];
  return {
    stepsSeen,
    async *epoch(epoch) {
      const e = p.epochs.find((x) => x.epoch === epoch);
      let step = e?.startStep ?? 0;
      for (const span of e?.passes ?? []) {
        for (let b = span.firstBatch; b < span.endBatch; b++) {
          stepsSeen.push(step);
          yield batchOf(train, b * p.batchSize, Math.min((b + 1) * p.batchSize, train.ys.length), step++);
        }
      }
    },
    async *validation() {
      for (let start = 0; start < validation.ys.length; start += p.batchSize) {
        yield batchOf(validation, start, Math.min(start + p.batchSize, validation.ys.length), 0);
      }
    },
  };
}

const silent: Progress = { epochStart() {}, step() {}, epochEnd() {} };

function setup(options: { epochs: number; validationFreq?: number; learningRate?: number }) {
  const train = samples(40, 0);
  const validation = samples(12, 1);
  const p = plan({
    numSamples: 40,
    batchSize: 16,
    epochs: options.epochs,
    validationSamples: 12,
    validationFreq: options.validationFreq ?? 1,
  });
  const head = headFor("binary", 2);
  const model = buildMlp({ numFeatures: 2, hidden: [8], head, seed: 3 });
  compileModel(model, head, makeOptimizer("adam", options.learningRate ?? 0.05));
  const data = fakeData(p, train, validation);
  return { p, model, data, head };
}

const toTensors = (batch: Batch) => batchToTensors(batch, { task: "binary" });

/** The loop over a `setup()` from epoch 0 with no history, silent; `overrides` set the rest. */
function train(s: ReturnType<typeof setup>, overrides: Partial<LoopOptions> = {}) {
  return trainLoop({
    model: s.model,
    metricNames: s.head.metricNames,
    newMetrics: () => metricsAccumulator("binary", 1),
    plan: s.p,
    data: s.data,
    toTensors,
    startEpoch: 0,
    history: [],
    progress: silent,
    onEpochEnd: async () => {},
    ...overrides,
  });
}

describe("training loop", () => {
  it("every planned step is trained once, in order; validation only after the planned epochs", async () => {
    const s = setup({ epochs: 4, validationFreq: 2 });
    const { p, data } = s;
    const result = await train(s);
    expect(data.stepsSeen).toEqual(Array.from({ length: p.totalSteps as number }, (_, i) => i));
    expect(result.history.map((r) => [r.epoch, r.steps, r.samples, r.valLoss !== null])).toEqual([
      [0, 3, 40, false],
      [1, 3, 40, true],
      [2, 3, 40, false],
      [3, 3, 40, true],
    ]);
  });

  it("a separable problem → the loss falls and accuracy ends above chance", async () => {
    const s = setup({ epochs: 30 });
    const { history } = await train(s);
    const first = history[0] as EpochRecord;
    const last = history.at(-1) as EpochRecord;
    expect(last.loss).toBeLessThan(first.loss);
    expect(last.valMetrics?.accuracy).toBeGreaterThan(0.7);
  });

  it("many epochs → tf.memory().numTensors is the same after every epoch (no leaks)", async () => {
    const s = setup({ epochs: 5 });
    const counts: number[] = [];
    await train(s, {
      onEpochEnd: async () => {
        counts.push(tf.memory().numTensors);
      },
    });
    // The first epoch creates the optimizer's slot variables; after that nothing may accumulate.
    expect(new Set(counts.slice(1)).size).toBe(1);
    expect(counts[1]).toBe(counts[0]);
  });

  it("a loss that stops improving → early stopping after `patience` epochs, before the last epoch", async () => {
    const s = setup({ epochs: 12, learningRate: 0 });
    const ends: number[] = [];
    const result = await train(s, {
      patience: 2,
      onEpochEnd: async (record) => {
        ends.push(record.epoch);
      },
    });
    // learning rate 0: val_loss never improves after epoch 0, so epochs 1 and 2 exhaust patience 2.
    expect(result.stoppedEarly).toBe(true);
    expect(ends).toEqual([0, 1, 2]);
  });

  it("starting at a later epoch with a history → only the remaining epochs run and the history is kept", async () => {
    const s = setup({ epochs: 3 });
    const { data } = s;
    const earlier: EpochRecord = {
      epoch: 0,
      steps: 3,
      samples: 40,
      loss: 1,
      metrics: { accuracy: 0 },
      valLoss: 1,
      valMetrics: { accuracy: 0 },
      seconds: 0,
    };
    const result = await train(s, {
      startEpoch: 1,
      history: [earlier],
    });
    expect(result.history.map((r) => r.epoch)).toEqual([0, 1, 2]);
    expect(data.stepsSeen[0]).toBe(3);
  });

  it.each([Number.NaN, Number.POSITIVE_INFINITY])(
    "a step whose loss is %s → RunError naming epoch and step; no callback for that epoch, nothing trained after it",
    async (bad) => {
      const s = setup({ epochs: 4 });
      const ends: number[] = [];
      let calls = 0;
      const error = await train(s, {
        // Epoch 1 (0-based), its second step: global step 4 of 3 steps per epoch.
        train: async () => (++calls === 5 ? [bad, 0] : [0.5, 0.5]),
        onEpochEnd: async (record) => {
          ends.push(record.epoch);
        },
      }).catch((e: unknown) => e);
      expect((error as Error).name).toBe("RunError");
      expect((error as Error).message).toBe(
        `training diverged: the loss is ${bad} at epoch 2/4, step 2/3 (global step 4); the run stops, the last checkpoint (after epoch 1) is kept; lower the learning rate (--learning-rate) or scale the features`,
      );
      expect(calls).toBe(5);
      expect(ends).toEqual([0]);
    },
  );

  it("weights that turn non-finite in an epoch's last step → RunError before that epoch's callback", async () => {
    const s = setup({ epochs: 3 });
    const ends: number[] = [];
    let calls = 0;
    const error = await train(s, {
      train: async () => {
        if (++calls === 3) s.model.setWeights(s.model.getWeights().map((w) => tf.fill(w.shape, Number.NaN)));
        return [0.5, 0.5];
      },
      onEpochEnd: async (record) => {
        ends.push(record.epoch);
      },
    }).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(
      /^training diverged: a weight is not finite at the end of epoch 1\/3; the run stops, no epoch finished, so there is no checkpoint;/,
    );
    expect(ends).toEqual([]);
  });

  it("a learning rate of 1e38 through trainOnBatch → stops in epoch 1, before its callback", async () => {
    const s = setup({ epochs: 3, learningRate: 1e38 });
    const ends: number[] = [];
    await expect(
      train(s, {
        onEpochEnd: async (record) => {
          ends.push(record.epoch);
        },
      }),
    ).rejects.toThrow(
      /^training diverged: (the loss is (NaN|Infinity) at epoch 1\/3, step \d\/3 \(global step \d\)|a weight is not finite at the end of epoch 1\/3)/,
    );
    expect(ends).toEqual([]);
  });

  it("training stops mid-epoch → the progress display is told to end its bar (abort), once", async () => {
    const s = setup({ epochs: 2 });
    let aborted = 0;
    await expect(
      train(s, {
        progress: { ...silent, abort: () => aborted++ },
        train: async () => [Number.NaN, 0],
      }),
    ).rejects.toThrow(/^training diverged/);
    expect(aborted).toBe(1);
  });

  it("an aborted signal → the loop stops before its next step with the signal's reason", async () => {
    const s = setup({ epochs: 3 });
    const controller = new AbortController();
    let calls = 0;
    const reason = new Error("stop here");
    await expect(
      train(s, {
        signal: controller.signal,
        train: async () => {
          if (++calls === 4) controller.abort(reason);
          return [0.5, 0.5];
        },
      }),
    ).rejects.toBe(reason);
    expect(calls).toBe(4);
  });

  it("keepBest → the weights and report of the epoch with the lowest val_loss are kept and passed to each epoch's callback", async () => {
    const s = setup({ epochs: 8, learningRate: 0.3 });
    const seen: (number | null)[] = [];
    const result = await train(s, {
      keepBest: true,
      onEpochEnd: async (_record, _all, report, best) => {
        expect(report).not.toBeNull();
        seen.push(best?.epoch ?? null);
      },
    });
    const losses = result.history.map((r) => r.valLoss as number);
    const bestEpoch = losses.indexOf(Math.min(...losses));
    expect(result.best?.epoch).toBe(bestEpoch);
    expect(result.best?.report?.loss).toBe(losses[bestEpoch]);
    // The callback saw the best so far after every epoch.
    expect(seen).toEqual(
      losses.map((_, e) => losses.slice(0, e + 1).indexOf(Math.min(...losses.slice(0, e + 1)))),
    );
    // The kept weights reproduce that epoch's validation loss.
    restoreModelWeights(s.model, result.best?.weights as EncodedWeights);
    const again = await evaluateBatches(
      s.model,
      s.data.validation(0),
      toTensors,
      metricsAccumulator("binary", 1),
    );
    expect(again.metrics.report().loss).toBeCloseTo(losses[bestEpoch] as number, 6);
  });

  it("a best epoch from before a restart, never beaten → kept as given", async () => {
    const s = setup({ epochs: 3, learningRate: 0 });
    const earlier: EpochRecord = {
      epoch: 0,
      steps: 3,
      samples: 40,
      loss: 0,
      metrics: { accuracy: 1 },
      valLoss: 0,
      valMetrics: { accuracy: 1 },
      seconds: 0,
    };
    const weights = { specs: [], data: new Uint8Array(0) };
    const result = await train(s, {
      startEpoch: 1,
      history: [earlier],
      keepBest: true,
      best: { epoch: 0, weights, report: null },
    });
    expect(result.best?.epoch).toBe(0);
    expect(result.best?.weights).toBe(weights);
  });

  it("validation → the record carries the task's full metric set (binary: accuracy, auc, precision, recall)", async () => {
    const s = setup({ epochs: 1 });
    const { history } = await train(s);
    expect(Object.keys(history[0]?.valMetrics ?? {})).toEqual(["accuracy", "auc", "precision", "recall"]);
    expect(Object.keys(history[0]?.metrics ?? {})).toEqual(["accuracy"]);
  });
});
