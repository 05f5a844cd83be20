import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  batchesInPass,
  dealLayout,
  dealPosition,
  locateBatch,
  passOffsetAt,
  redealAt,
  shardPosition,
} from "./deal.ts";
import { plan } from "./plan.ts";
import { locateStep } from "./position.ts";
import { shardLayout } from "./shard.ts";

const ranks = (n: number) => Array.from({ length: n }, (_, r) => r);

describe("dealLayout", () => {
  it("passOffset 0 → exactly core's shard layout and positions", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 60 }),
        fc.integer({ min: 1, max: 6 }),
        fc.constantFrom("pad" as const, "drop" as const),
        (numSamples, numShards, policy) => {
          fc.pre(policy === "pad" || numShards <= numSamples);
          for (const shardIndex of ranks(numShards)) {
            const core = shardLayout({ numSamples, numShards, shardIndex, policy });
            const deal = dealLayout({ numSamples, numShards, shardIndex, policy, passOffset: 0 });
            expect(deal.samplesPerShard).toBe(core.samplesPerShard);
            for (let i = 0; i < core.samplesPerShard; i++) {
              expect(dealPosition(deal, i) % numSamples).toBe(shardPosition(core, i));
            }
          }
        },
      ),
    );
  });

  it("any offset and shard count → the rest of the pass is dealt exactly once; padding only repeats earlier positions", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 60 }),
        fc.integer({ min: 1, max: 6 }),
        fc.nat(),
        fc.constantFrom("pad" as const, "drop" as const),
        (numSamples, numShards, offsetSeed, policy) => {
          const passOffset = offsetSeed % numSamples;
          const rest = numSamples - passOffset;
          const seen = new Map<number, number>();
          let padding = 0;
          for (const shardIndex of ranks(numShards)) {
            const layout = dealLayout({ numSamples, numShards, shardIndex, policy, passOffset });
            for (let i = 0; i < layout.samplesPerShard; i++) {
              const position = dealPosition(layout, i);
              if (position >= numSamples) {
                padding++;
                expect(position % numSamples).toBeLessThan(numSamples);
              } else {
                seen.set(position, (seen.get(position) ?? 0) + 1);
              }
            }
          }
          expect([...seen.values()].every((n) => n === 1)).toBe(true);
          expect([...seen.keys()].every((p) => p >= passOffset)).toBe(true);
          if (policy === "pad") {
            expect(seen.size).toBe(rest);
            expect(padding).toBe(Math.ceil(rest / numShards) * numShards - rest);
          } else {
            expect(padding).toBe(0);
            expect(seen.size).toBe(rest - (rest % numShards));
          }
        },
      ),
    );
  });

  it("an offset at or past the end → PlanError", () => {
    expect(() =>
      dealLayout({ numSamples: 5, numShards: 2, shardIndex: 0, policy: "pad", passOffset: 5 }),
    ).toThrow("passOffset must be below numSamples 5, got 5");
  });
});

describe("redealAt", () => {
  it.each([
    // numSamples, numShards, batchSize, dropRemainder, passOffset → firstBatch, steps
    [100, 2, 10, false, 40, 2, 3], // 60 left, 30 per rank, 3 batches
    [100, 3, 10, false, 40, 2, 2], // 60 left, 20 per rank
    [100, 3, 7, false, 40, 2, 3], // 20 per rank → ceil(20/7)
    [100, 3, 7, true, 40, 2, 2], // floor(20/7)
    [10, 4, 1, false, 9, 3, 1], // 1 left: every rank takes one, three of them padding
    [100, 1, 10, false, 0, 0, 10],
  ])(
    "N %i, W %i, B %i, dropRemainder %s, passOffset %i → first batch %i, %i steps",
    (numSamples, numShards, batchSize, dropRemainder, passOffset, firstBatch, steps) => {
      const rebase = redealAt(
        { step: 7, pass: 1, passOffset },
        { numSamples, numShards, policy: "pad", batchSize, dropRemainder },
      );
      expect(rebase).toEqual({ step: 7, pass: 1, passOffset, firstBatch, steps });
    },
  );
});

interface World {
  numSamples: number;
  batchSize: number;
  stepsPerEpoch: number;
  numShards: number;
  dropRemainder: boolean;
  drop: boolean;
}

describe("locateBatch, batchesInPass, passOffsetAt", () => {
  const world = fc
    .record({
      numSamples: fc.integer({ min: 1, max: 80 }),
      batchSize: fc.integer({ min: 1, max: 9 }),
      stepsPerEpoch: fc.integer({ min: 1, max: 12 }),
      numShards: fc.integer({ min: 1, max: 5 }),
      dropRemainder: fc.boolean(),
      drop: fc.boolean(),
    })
    .filter(
      (w) =>
        (!w.drop || w.numShards <= w.numSamples) &&
        (!w.dropRemainder || w.batchSize <= Math.floor(w.numSamples / w.numShards)),
    );
  const planOf = (w: World) =>
    plan({
      numSamples: w.numSamples,
      batchSize: w.batchSize,
      stepsPerEpoch: w.stepsPerEpoch,
      epochs: 1,
      dropRemainder: w.dropRemainder,
      numShards: w.numShards,
      shardIndex: 0,
      shardPolicy: w.drop ? "drop" : "pad",
    });

  it("no redeal → the plan's own pass and batch, and a pass offset of batchInPass·B·W", () => {
    fc.assert(
      fc.property(world, fc.nat(500), (w, step) => {
        const p = planOf(w);
        const at = locateStep(p, step);
        const where = locateBatch(p, step, null);
        expect(where).toEqual({ pass: at.pass, batchInPass: at.batchInPass });
        expect(batchesInPass(p, where.pass, null)).toBe(p.stepsPerPass);
        expect(passOffsetAt(where, { batchSize: w.batchSize, numShards: w.numShards }, null)).toBe(
          (at.batchInPass as number) * w.batchSize * w.numShards,
        );
      }),
      { numRuns: 200 },
    );
  });

  it("a redeal → its steps read its pass from firstBatch, later steps follow the plan's passes, and offsets map back", () => {
    fc.assert(
      fc.property(world, fc.nat(40), fc.nat(), fc.nat(300), (w, step, offsetSeed, later) => {
        const p = planOf(w);
        const passOffset = offsetSeed % w.numSamples;
        const redeal = redealAt({ step, pass: 2, passOffset }, { ...w, policy: w.drop ? "drop" : "pad" });
        const layout = { batchSize: w.batchSize, numShards: w.numShards };
        // A rest smaller than the ranks under drop gives the pass no steps: the step is the next pass's.
        if (redeal.steps > 0)
          expect(passOffsetAt(locateBatch(p, step, redeal), layout, redeal)).toBe(passOffset);
        expect(batchesInPass(p, 2, redeal)).toBe(redeal.firstBatch + redeal.steps);
        expect(batchesInPass(p, 3, redeal)).toBe(p.stepsPerPass);
        for (let k = 0; k < redeal.steps; k++) {
          expect(locateBatch(p, step + k, redeal)).toEqual({ pass: 2, batchInPass: redeal.firstBatch + k });
        }
        const perPass = p.stepsPerPass as number;
        const target = step + redeal.steps + later;
        expect(locateBatch(p, target, redeal)).toEqual({
          pass: 3 + Math.floor(later / perPass),
          batchInPass: later % perPass,
        });
        if (step > 0) expect(() => locateBatch(p, step - 1, redeal)).toThrow("not reproducible");
      }),
      { numRuns: 200 },
    );
  });

  it("the dealt positions of a redealt pass start at its offset: rank r's first sample is passOffset + r", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 60 }),
        fc.integer({ min: 1, max: 6 }),
        fc.nat(),
        (numSamples, numShards, offsetSeed) => {
          const passOffset = offsetSeed % numSamples;
          for (let shardIndex = 0; shardIndex < numShards; shardIndex++) {
            const layout = dealLayout({ numSamples, numShards, shardIndex, policy: "pad", passOffset });
            expect(dealPosition(layout, 0)).toBe(passOffset + shardIndex);
          }
        },
      ),
    );
  });
});
