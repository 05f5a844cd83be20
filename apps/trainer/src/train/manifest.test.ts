import type { Batch, ManifestWriter } from "@stepwise/data";
import { describe, expect, it } from "vitest";
import { recorded } from "./manifest.ts";

async function* batches(count: number): AsyncGenerator<Batch> {
  for (let step = 0; step < count; step++) yield { step } as Batch;
}

/** A writer whose writes finish after `delayMs(step)` and may fail; it records the steps it finished, in order. */
function slowWriter(delayMs: (step: number) => number, failAt: number | null = null) {
  const finished: number[] = [];
  let busy = false;
  const writer: ManifestWriter = {
    path: "test.jsonl",
    async write(batch) {
      // The real writer must not see overlapping writes on its one file handle.
      expect(busy).toBe(false);
      busy = true;
      await new Promise((done) => setTimeout(done, delayMs(batch.step)));
      busy = false;
      if (batch.step === failAt) throw new Error(`disk full at step ${batch.step}`);
      finished.push(batch.step);
    },
    async close() {},
  };
  return { writer, finished };
}

describe("recorded (manifest of the batches trained on)", () => {
  it("slow writes of varied length → every step written once, in order, one write at a time, all before the epoch ends", async () => {
    const { writer, finished } = slowWriter((step) => (step % 3) * 2);
    const seen: number[] = [];
    for await (const batch of recorded(batches(8), writer)) seen.push(batch.step);
    expect(seen).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(finished).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it("a batch handed out but never followed by a request for the next → not recorded", async () => {
    const { writer, finished } = slowWriter(() => 0);
    const iterator = recorded(batches(5), writer);
    await iterator.next(); // step 0 handed out
    await iterator.next(); // step 0 trained: recorded; step 1 handed out
    await iterator.return(undefined); // interrupted while training step 1
    await new Promise((done) => setTimeout(done, 5));
    expect(finished).toEqual([0]);
  });

  it("a write that fails → the error ends the epoch; later steps are not recorded", async () => {
    const { writer, finished } = slowWriter(() => 1, 2);
    const run = async () => {
      // A fast consumer: later steps are queued before the failure is known.
      for await (const _ of recorded(batches(6), writer)) await Promise.resolve();
    };
    await expect(run()).rejects.toThrow("disk full at step 2");
    expect(finished).toEqual([0, 1]);
  });
});
