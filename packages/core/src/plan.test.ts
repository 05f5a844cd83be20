import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type Plan, type PlanOptions, plan } from "./plan.ts";

const stepsOf = (p: Plan) => p.epochs.map((e) => e.steps);

describe("plan: known cases", () => {
  it("30000 samples, batch 32, 5000 validation samples → 938 steps/epoch, 157 validation steps", () => {
    const p = plan({ numSamples: 30000, batchSize: 32, epochs: 10, validationSamples: 5000 });
    expect(p.stepsPerPass).toBe(938);
    expect(p.lastBatchSize).toBe(16);
    expect(p.stepsPerEpoch).toBe(938);
    expect(p.validationSteps).toBe(157);
    expect(p.validationLastBatchSize).toBe(8);
    expect(p.totalSteps).toBe(9380);
    expect(p.totalSamples).toBe(300000);
    expect(p.epochs.every((e) => e.validate)).toBe(true);
    expect(p.warnings).toEqual([]);
  });

  it.each([
    // policy, stepsPerEpoch, epochs → steps per epoch (10 batches per pass)
    ["stop", 9, 4, [9, 1, 9, 1]],
    ["stop", 5, 4, [5, 5, 5, 5]],
    ["stop", 4, 4, [4, 4, 2, 4]],
    ["stop", 25, 3, [10, 10, 10]],
    ["repeat", 9, 4, [9, 9, 9, 9]],
    ["repeat", 25, 2, [25, 25]],
  ] as const)("100 samples, batch 10, %s, S=%i, %i epochs → %j", (policy, s, epochs, expected) => {
    const p = plan({ numSamples: 100, batchSize: 10, stepsPerEpoch: s, epochs, onExhausted: policy });
    expect(stepsOf(p)).toEqual(expected);
  });

  it("S=9 over 10-batch passes → epoch 1 spans the pass boundary", () => {
    const p = plan({ numSamples: 100, batchSize: 10, stepsPerEpoch: 9, epochs: 3 });
    expect(p.epochs[1]?.passes).toEqual([
      { pass: 0, firstBatch: 9, endBatch: 10, samples: 10 },
      { pass: 1, firstBatch: 0, endBatch: 8, samples: 80 },
    ]);
  });

  it("S larger than a pass → warning that the data repeats", () => {
    const p = plan({ numSamples: 100, batchSize: 10, stepsPerEpoch: 25 });
    expect(p.warnings.join("\n")).toContain("each epoch repeats the data 2.50 times");
    expect(p.epochs[0]?.passes?.map((s) => s.pass)).toEqual([0, 1, 2]);
  });

  it("stop policy with short epochs → warning naming them", () => {
    const p = plan({ numSamples: 100, batchSize: 10, stepsPerEpoch: 9, epochs: 4, onExhausted: "stop" });
    expect(p.warnings.join("\n")).toContain("epochs 1, 3 end early");
  });

  it("initialEpoch 3 → first planned epoch starts at global step 3·S", () => {
    const p = plan({ numSamples: 100, batchSize: 10, stepsPerEpoch: 7, epochs: 5, initialEpoch: 3 });
    expect(p.epochs.map((e) => [e.epoch, e.startStep, e.endStep])).toEqual([
      [3, 21, 28],
      [4, 28, 35],
    ]);
    expect(p.totalSteps).toBe(14);
  });

  it("batch larger than the data → one partial batch with a warning", () => {
    const p = plan({ numSamples: 50, batchSize: 64 });
    expect([p.stepsPerPass, p.lastBatchSize]).toEqual([1, 50]);
    expect(p.warnings.join("\n")).toContain("batchSize 64 exceeds the 50 samples");
  });

  it("dropRemainder → dropped samples reported per pass and in warnings", () => {
    const p = plan({ numSamples: 30000, batchSize: 32, dropRemainder: true, epochs: 2 });
    expect([p.stepsPerPass, p.samplesDroppedPerPass, p.totalSamples]).toEqual([937, 16, 2 * 937 * 32]);
    expect(p.warnings.join("\n")).toContain("drops 16 of 30000 samples per pass");
  });

  it.each([
    [2, [false, true, false, true, false, true]],
    [
      [1, 4],
      [true, false, false, true, false, false],
    ],
  ])("validationFreq %j → validates after the matching epochs", (freq, expected) => {
    const p = plan({ numSamples: 10, batchSize: 5, epochs: 6, validationSamples: 4, validationFreq: freq });
    expect(p.epochs.map((e) => e.validate)).toEqual(expected);
  });

  it("validationSteps within one pass → the first V batches, all full", () => {
    const p = plan({ numSamples: 10, batchSize: 32, validationSamples: 5000, validationSteps: 100 });
    expect([p.validationSteps, p.validationLastBatchSize]).toEqual([100, 32]);
  });

  it("sharded 10 samples over 4 ranks (pad) → every rank runs the same 2 steps of batch 2", () => {
    for (let r = 0; r < 4; r++) {
      const p = plan({ numSamples: 10, batchSize: 2, numShards: 4, shardIndex: r });
      expect(p.shard).toMatchObject({
        numShards: 4,
        shardIndex: r,
        samplesPerShard: 3,
        paddedSamples: 2,
        droppedSamples: 0,
      });
      expect([p.stepsPerPass, p.lastBatchSize]).toEqual([2, 1]);
    }
  });

  it("unknown numSamples with S → epoch steps known, passes unknown", () => {
    const p = plan({ numSamples: null, batchSize: 8, stepsPerEpoch: 5, epochs: 3 });
    expect(p.epochs.map((e) => [e.startStep, e.endStep, e.passes])).toEqual([
      [0, 5, null],
      [5, 10, null],
      [10, 15, null],
    ]);
    expect(p.totalSteps).toBe(15);
    expect(p.stepsPerPass).toBeNull();
  });

  it("unknown numSamples without S → epochs of one pass, steps unknown", () => {
    const p = plan({ numSamples: null, batchSize: 8, epochs: 2 });
    expect(p.stepsPerEpoch).toBeNull();
    expect(p.totalSteps).toBeNull();
    expect(p.epochs[0]?.startStep).toBe(0);
    expect(p.warnings.join("\n")).toContain("discovered on the first pass");
  });
});

describe("plan: invalid input names the argument and quotes the value", () => {
  const base: PlanOptions = { numSamples: 100, batchSize: 10 };
  it.each([
    [{ batchSize: 0 }, "batchSize must be a positive integer, got 0"],
    [{ batchSize: Number.NaN }, "batchSize must be a positive integer, got NaN"],
    [{ numSamples: -5 }, "numSamples must be a positive integer, got -5"],
    [{ numSamples: 1.5 }, "numSamples must be a positive integer, got 1.5"],
    [{ epochs: 0 }, "epochs must be a positive integer, got 0"],
    [{ epochs: 3, initialEpoch: 3 }, "initialEpoch must be below epochs 3"],
    [{ initialEpoch: -1 }, "initialEpoch must be a non-negative integer, got -1"],
    [{ stepsPerEpoch: 0 }, "stepsPerEpoch must be a positive integer, got 0"],
    [{ numShards: 0 }, "numShards must be a positive integer, got 0"],
    [{ numShards: 2, shardIndex: 2 }, "shardIndex must be below numShards 2, got 2"],
    [{ onExhausted: "wrap" as never }, 'onExhausted must be one of repeat, stop; got "wrap"'],
    [
      { validationSamples: 5000, validationSteps: 200 },
      "validationSteps 200 exceeds the 16 steps of one validation pass",
    ],
    [{ validationSteps: 3 }, "validationSteps 3 was given without validation data"],
    [{ validationSamples: 10, validationFreq: [] }, "validationFreq must not be an empty list"],
    [{ validationSamples: 10, validationFreq: 0 }, "validationFreq must be a positive integer, got 0"],
    [{ numSamples: null, numShards: 2 }, "numShards 2 with an unknown numSamples needs stepsPerEpoch"],
  ] as [Partial<PlanOptions>, string][])("%j → %s", (override, message) => {
    const options = {
      ...base,
      ...override,
      ...(override.validationSamples === 5000 ? { batchSize: 320 } : {}),
    };
    expect(() => plan(options)).toThrow(message);
  });
});

const runs = fc.record({
  n: fc.integer({ min: 1, max: 400 }),
  b: fc.integer({ min: 1, max: 50 }),
  s: fc.option(fc.integer({ min: 1, max: 40 }), { nil: null }),
  epochs: fc.integer({ min: 1, max: 12 }),
  drop: fc.boolean(),
  stop: fc.boolean(),
  w: fc.integer({ min: 1, max: 5 }),
});

describe("plan: properties", () => {
  it("repeat → every epoch has exactly S steps and epochs are contiguous from initialEpoch·S", () => {
    fc.assert(
      fc.property(runs, fc.nat(11), ({ n, b, s, epochs, drop }, i) => {
        fc.pre(!drop || b <= n);
        const initialEpoch = i % epochs;
        const p = plan({
          numSamples: n,
          batchSize: b,
          stepsPerEpoch: s,
          epochs,
          initialEpoch,
          dropRemainder: drop,
        });
        const perEpoch = s ?? p.stepsPerPass;
        let next = initialEpoch * (perEpoch as number);
        for (const e of p.epochs) {
          expect(e.steps).toBe(perEpoch);
          expect(e.startStep).toBe(next);
          next = e.endStep as number;
        }
        expect(p.totalSteps).toBe((epochs - initialEpoch) * (perEpoch as number));
      }),
    );
  });

  it("any policy → the epochs' pass spans walk every pass's batches once, in order, with no gap", () => {
    fc.assert(
      fc.property(runs, ({ n, b, s, epochs, drop, stop }) => {
        fc.pre(!drop || b <= n);
        const p = plan({
          numSamples: n,
          batchSize: b,
          stepsPerEpoch: s,
          epochs,
          dropRemainder: drop,
          onExhausted: stop ? "stop" : "repeat",
        });
        const perPass = p.stepsPerPass as number;
        let pass = 0;
        let batch = 0;
        let samples = 0;
        for (const e of p.epochs) {
          for (const span of e.passes ?? []) {
            expect([span.pass, span.firstBatch]).toEqual([pass, batch]);
            expect(span.endBatch).toBeGreaterThan(span.firstBatch);
            expect(span.endBatch).toBeLessThanOrEqual(perPass);
            samples += span.samples;
            batch = span.endBatch;
            if (batch === perPass) [pass, batch] = [pass + 1, 0];
          }
        }
        expect(samples).toBe(p.totalSamples);
        // a full pass holds every sample but the dropped remainder exactly once
        expect(
          p.stepsPerPass === 0
            ? 0
            : (p.lastBatchSize as number) + (perPass - 1) * b + (p.samplesDroppedPerPass as number),
        ).toBe(n);
      }),
    );
  });

  it("stop → no epoch exceeds S or crosses a pass boundary", () => {
    fc.assert(
      fc.property(runs, ({ n, b, s, epochs }) => {
        const p = plan({ numSamples: n, batchSize: b, stepsPerEpoch: s ?? 3, epochs, onExhausted: "stop" });
        for (const e of p.epochs) {
          expect(e.steps).toBeLessThanOrEqual(s ?? 3);
          expect(e.passes).toHaveLength(1);
        }
      }),
    );
  });

  it("sharding → every rank plans identical step counts", () => {
    fc.assert(
      fc.property(runs, ({ n, b, s, epochs, w, drop }) => {
        const policy = drop ? "drop" : "pad";
        fc.pre(policy === "pad" || w <= n);
        const plans = Array.from({ length: w }, (_, r) =>
          plan({
            numSamples: n,
            batchSize: b,
            stepsPerEpoch: s,
            epochs,
            numShards: w,
            shardIndex: r,
            shardPolicy: policy,
          }),
        );
        const signature = (p: Plan) =>
          JSON.stringify([p.stepsPerPass, p.lastBatchSize, stepsOf(p), p.totalSteps]);
        expect(new Set(plans.map(signature)).size).toBe(1);
      }),
    );
  });
});

describe("plan: sizes it cannot hold", () => {
  it.each([
    [
      { epochs: 9007199254740991 },
      /^epochs 9007199254740991 \(from initialEpoch 0\) plans 9007199254740991 epochs, more than the 100000 a plan lists/,
    ],
    [{ epochs: 100_001 }, /plans 100001 epochs, more than the 100000/],
    [
      { epochs: 100_000, stepsPerEpoch: 2 ** 40 },
      /^epochs 100000 × 1099511627776 steps per epoch is more steps than can be counted exactly/,
    ],
    [{ epochs: 3, stepsPerEpoch: 2 ** 52, numSamples: null }, /^epochs 3 × 4503599627370496 steps per epoch/],
  ])("%o → a PlanError naming the limit (never a RangeError from an array)", (options, message) => {
    expect(() => plan({ numSamples: 100, batchSize: 10, ...options })).toThrow(message);
    expect(() => plan({ numSamples: 100, batchSize: 10, ...options })).toThrow(
      expect.objectContaining({ name: "PlanError" }),
    );
  });

  it("100000 epochs after a high initialEpoch → planned: the limit counts the epochs listed", () => {
    const p = plan({ numSamples: 100, batchSize: 10, epochs: 200_000, initialEpoch: 100_000 });
    expect(p.epochs).toHaveLength(100_000);
    expect(p.totalSteps).toBe(1_000_000);
  });
});
