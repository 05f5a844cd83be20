import { describe, expect, it } from "vitest";
import { SourceError } from "../sources/errors.ts";
import { batchSamples } from "./batch.ts";
import { collect, first, memorySource, range, rowFeatures, rowsOf } from "./test-helpers.ts";

const samplesOf = (n: number, numFeatures = 3) => range(n).map((i) => memorySource(n, numFeatures).get(i));

describe("batchSamples", () => {
  it.each([
    // N, B, dropRemainder → batch sizes (ceil(N/B) batches, last holds N - (ceil(N/B)-1)·B; floor with drop)
    [10, 3, false, [3, 3, 3, 1]],
    [10, 3, true, [3, 3, 3]],
    [9, 3, false, [3, 3, 3]],
    [2, 5, false, [2]],
    [2, 5, true, []],
    [0, 4, false, []],
  ])("N=%i, B=%i, drop=%s → sizes %j", async (n, batchSize, dropRemainder, sizes) => {
    const batches = await collect(batchSamples(samplesOf(n), { batchSize, numFeatures: 3, dropRemainder }));
    expect(batches.map((b) => b.batchSize)).toEqual(sizes);
    for (const b of batches) {
      expect(b.xs.length).toBe(b.batchSize * 3);
      expect(b.ys.length).toBe(b.batchSize);
      expect(b.rows.length).toBe(b.batchSize);
    }
  });

  it("rows → row-major xs [batchSize, numFeatures], labels in ys, provenance in batch order", async () => {
    const samples = [4, 1, 3].map((i) => memorySource(5, 3).get(i));
    const batch = first(await collect(batchSamples(samples, { batchSize: 3, numFeatures: 3 })));
    expect(rowsOf(batch)).toEqual([4, 1, 3]);
    expect([...batch.xs]).toEqual([...rowFeatures(4, 3), ...rowFeatures(1, 3), ...rowFeatures(3, 3)]);
    expect([...batch.ys]).toEqual([4, 1, 3]);
  });

  it("sync and async inputs → identical batches", async () => {
    async function* asAsync() {
      yield* samplesOf(7);
    }
    const sync = await collect(batchSamples(samplesOf(7), { batchSize: 3, numFeatures: 3 }));
    const viaAsync = await collect(batchSamples(asAsync(), { batchSize: 3, numFeatures: 3 }));
    expect(viaAsync).toEqual(sync);
  });

  it("consecutive batches → separate buffers (a consumer may keep or transfer them)", async () => {
    const [a, b] = await collect(batchSamples(samplesOf(4), { batchSize: 2, numFeatures: 3 }));
    expect(a?.xs.buffer).not.toBe(b?.xs.buffer);
  });

  it("a sample of the wrong width → SourceError naming the row", async () => {
    const bad = {
      features: new Float32Array(2),
      label: 0,
      source: { index: 5, file: "a.csv", fileIndex: 0, line: 7 },
    };
    const run = collect(batchSamples([bad], { batchSize: 2, numFeatures: 3 }));
    await expect(run).rejects.toThrow(SourceError);
    await expect(collect(batchSamples([bad], { batchSize: 2, numFeatures: 3 }))).rejects.toThrow(
      "a.csv:7: expected 3 features, got 2",
    );
  });
});
