import type { Batch, RowRef } from "@stepwise/data/internals";
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { metricsAccumulator } from "../metrics/metrics.ts";
import type { Task } from "../model/build.ts";
import { buildMlp, compileModel, headFor, makeOptimizer } from "../model/build.ts";
import { createTrainStep } from "../model/train-step.ts";
import {
  allGather,
  dataParallelEvaluate,
  dataParallelStep,
  weightSizes,
  withoutPadding,
} from "./data-parallel.ts";
import { freePort } from "./launch.ts";
import { rendezvous } from "./rendezvous.ts";
import type { Ring } from "./ring.ts";

beforeAll(async () => {
  tf.env().set("PROD", true);
  await tf.setBackend("cpu");
});

const head = headFor("classification", 3);

function setup(mode: "auto" | "tfjs") {
  const model = buildMlp({ numFeatures: 4, hidden: [6], head, seed: 5 });
  compileModel(model, head, makeOptimizer("adam"));
  return { model, step: createTrainStep(model, { task: "classification", numClasses: 3, mode }) };
}

async function twoRanks(): Promise<Ring[]> {
  const masterPort = await freePort();
  return Promise.all(
    [0, 1].map((rank) =>
      rendezvous({
        rank,
        worldSize: 2,
        masterAddr: "127.0.0.1",
        masterPort,
        planHash: "p",
        connectTimeoutMs: 10_000,
        timeoutMs: 10_000,
      }),
    ),
  );
}

/** Step s's global batch: `n` rows of 4 features and a class label. */
function rows(s: number, n: number): { xs: number[][]; ys: number[] } {
  const xs = Array.from({ length: n }, (_, r) =>
    Array.from({ length: 4 }, (_, f) => Math.sin(r * 4 + f + s * 7)),
  );
  return { xs, ys: Array.from({ length: n }, (_, r) => (r * 5 + s) % 3) };
}

describe("withoutPadding", () => {
  const row = (index: number, padding = false): RowRef =>
    ({ index, file: null, fileIndex: 0, line: null, ...(padding ? { padding: true } : {}) }) as RowRef;
  const batch: Batch = {
    step: 0,
    epoch: 0,
    stepInEpoch: 0,
    pass: 0,
    batchInPass: 0,
    batchSize: 3,
    numFeatures: 2,
    xs: Float32Array.of(1, 2, 3, 4, 5, 6),
    ys: Float32Array.of(0, 1, 2),
    rows: [row(0), row(1), row(0, true)],
  };

  it("a batch ending in a padding row → the rows before it only", () => {
    const real = withoutPadding(batch);
    expect(real.batchSize).toBe(2);
    expect(Array.from(real.xs)).toEqual([1, 2, 3, 4]);
    expect(Array.from(real.ys)).toEqual([0, 1]);
    expect(real.rows.map((r) => r.index)).toEqual([0, 1]);
  });

  it("a batch without padding → the same batch", () => {
    const plain = { ...batch, rows: [row(0), row(1), row(2)] };
    expect(withoutPadding(plain)).toBe(plain);
  });
});

describe("dataParallelStep", () => {
  it.each(["auto", "tfjs"] as const)(
    "%s step: 2 ranks on interleaved halves (one rank short a row) → the single process's weights on the whole batch, identical on both ranks",
    async (mode) => {
      const ring = await twoRanks();
      try {
        const reference = setup(mode);
        const ranks = [setup(mode), setup(mode)];
        const steps = ranks.map((r, i) =>
          dataParallelStep(r.step, ring[i] as Ring, weightSizes(r.model), head.metricNames.length + 1),
        );
        for (let s = 0; s < 4; s++) {
          // 15 rows: rank 0 takes rows 0, 2, …, 14 (8), rank 1 rows 1, 3, …, 13 (7), as the deal gives them.
          const { xs, ys } = rows(s, 15);
          const whole = { xs: tf.tensor2d(xs), ys: tf.tensor1d(ys) };
          const expected = await reference.step.train(whole.xs, whole.ys);
          const parts = [0, 1].map((r) => {
            const pick = xs.map((_, i) => i).filter((i) => i % 2 === r);
            return {
              xs: tf.tensor2d(pick.map((i) => xs[i] as number[])),
              ys: tf.tensor1d(pick.map((i) => ys[i] as number)),
            };
          });
          const results = await Promise.all(
            steps.map((step, r) => step(parts[r]?.xs as tf.Tensor, parts[r]?.ys as tf.Tensor)),
          );
          for (const result of results) {
            expect(result.samples).toBe(15);
            expect(Math.abs((result.values[0] as number) - (expected[0] as number))).toBeLessThan(1e-5);
          }
          tf.dispose([whole.xs, whole.ys, ...parts.flatMap((p) => [p.xs, p.ys])]);
        }
        const weights = [reference, ...ranks].map((r) =>
          r.model.getWeights().flatMap((w) => Array.from(w.dataSync())),
        );
        const [single, rank0, rank1] = weights as [number[], number[], number[]];
        expect(rank1).toEqual(rank0);
        const worst = Math.max(...single.map((v, i) => Math.abs(v - (rank0[i] as number))));
        expect(worst).toBeLessThan(1e-5);
      } finally {
        await Promise.all(ring.map((r) => r.close()));
      }
    },
  );

  it("a rank whose batch is all padding (no rows) → contributes nothing; the other's gradients apply", async () => {
    const ring = await twoRanks();
    try {
      const reference = setup("auto");
      const ranks = [setup("auto"), setup("auto")];
      const steps = ranks.map((r, i) => dataParallelStep(r.step, ring[i] as Ring, weightSizes(r.model), 2));
      const { xs, ys } = rows(0, 3);
      const full = { xs: tf.tensor2d(xs), ys: tf.tensor1d(ys) };
      const empty = { xs: tf.zeros([0, 4]), ys: tf.zeros([0]) };
      await reference.step.train(full.xs, full.ys);
      const [a, b] = await Promise.all([steps[0]?.(full.xs, full.ys), steps[1]?.(empty.xs, empty.ys)]);
      expect(a?.samples).toBe(3);
      expect(b?.values).toEqual(a?.values);
      const single = reference.model.getWeights().flatMap((w) => Array.from(w.dataSync()));
      const rank1 = ranks[1]?.model.getWeights().flatMap((w) => Array.from(w.dataSync())) ?? [];
      expect(Math.max(...single.map((v, i) => Math.abs(v - (rank1[i] as number))))).toBeLessThan(1e-6);
      tf.dispose([full.xs, full.ys, empty.xs, empty.ys]);
    } finally {
      await Promise.all(ring.map((r) => r.close()));
    }
  });
});

describe("dataParallelEvaluate", () => {
  /** A validation batch whose features are the model's predictions (the "model" is the identity). */
  function batchOf(predictions: number[], labels: number[], units: number, step: number): Batch {
    return {
      step,
      batchSize: labels.length,
      numFeatures: units,
      xs: Float32Array.from(predictions),
      ys: Float32Array.from(labels),
      rows: labels.map(() => ({ pass: 0, index: 0 }) as unknown as RowRef),
    } as unknown as Batch;
  }

  async function* batches(list: Batch[]): AsyncGenerator<Batch> {
    yield* list;
  }

  /** Accumulates each batch's xs as predictions: what evaluateBatches does with a model. */
  function evaluateAs(task: Task, units: number) {
    return async (input: AsyncIterable<Batch>) => {
      const acc = metricsAccumulator(task, units);
      for await (const batch of input) acc.add(batch.xs, batch.ys, batch.batchSize);
      return acc;
    };
  }

  it.each([
    ["binary", 1],
    ["classification", 3],
    ["regression", 1],
  ] as const)(
    "%s: 2 ranks over 5 batches (one rank a batch short) → every rank reports the single process's metrics over all batches",
    async (task, units) => {
      const list = Array.from({ length: 5 }, (_, s) => {
        const n = 3 + s;
        const labels = Array.from({ length: n }, (_, r) =>
          task === "regression" ? Math.sin(r + s) * 3 : (r * 7 + s) % (task === "binary" ? 2 : 3),
        );
        const predictions = Array.from({ length: n * units }, (_, i) =>
          task === "regression" ? Math.cos(i + s) : (Math.sin(i * 1.3 + s) + 1) / 2,
        );
        return batchOf(predictions, labels, units, s);
      });
      const ring = await twoRanks();
      try {
        const reports = await Promise.all(
          ring.map((r) =>
            dataParallelEvaluate(r, batches(list), evaluateAs(task, units), () =>
              metricsAccumulator(task, units),
            ),
          ),
        );
        const single = await evaluateAs(task, units)(batches(list));
        const expected = single.report();
        for (const report of reports) {
          expect(report.samples).toBe(expected.samples);
          expect(report.confusion).toEqual(expected.confusion);
          expect(report.loss).toBeCloseTo(expected.loss, 9);
          for (const [name, value] of Object.entries(expected.metrics))
            expect(report.metrics[name]).toBeCloseTo(value, 9);
        }
        // AUC is a rank statistic over all the ranks' scores: exactly the single process's.
        if (task === "binary") expect(reports[0]?.metrics.auc).toBe(expected.metrics.auc);
      } finally {
        await Promise.all(ring.map((r) => r.close()));
      }
    },
  );

  it("allGather of float64 values → each rank's values in rank order, to ~2^-48", async () => {
    const ring = await twoRanks();
    try {
      const local = [Float64Array.of(Math.PI, 1e10 + 0.123, -1 / 3), Float64Array.of(Math.E)];
      const gathered = await Promise.all(ring.map((r, i) => allGather(r, local[i] as Float64Array)));
      for (const all of gathered) {
        expect(all).toHaveLength(2);
        all.forEach((values, r) => {
          Array.from(values).forEach((v, i) => {
            const want = (local[r] as Float64Array)[i] as number;
            expect(Math.abs(v - want)).toBeLessThanOrEqual(Math.abs(want) * 2 ** -46);
          });
        });
      }
    } finally {
      await Promise.all(ring.map((r) => r.close()));
    }
  });
});
