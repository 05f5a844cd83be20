import { describe, expect, it } from "vitest";
import { DataError } from "../errors.ts";
import { formatBytes, parseByteSize, planBlocks, SAMPLE_OVERHEAD_BYTES } from "./memory.ts";

describe("parseByteSize", () => {
  it.each<[number | string, number]>([
    [1024, 1024],
    ["256MB", 256_000_000],
    ["256 MiB", 256 * 2 ** 20],
    ["1.5GiB", 1.5 * 2 ** 30],
    ["64k", 65536],
    ["2gb", 2e9],
    ["100", 100],
  ])("%j → %i bytes", (value, bytes) => {
    expect(parseByteSize(value)).toBe(bytes);
  });

  it.each([[0], [-5], ["12 parsecs"], ["MB"], [""], [1.5]])("%j → DataError", (value) => {
    expect(() => parseByteSize(value as number | string)).toThrow(DataError);
  });

  it.each<[number, string]>([
    [512, "512 B"],
    [268435456, "256 MiB"],
    [1.5 * 2 ** 30, "1.5 GiB"],
  ])("formatBytes(%i) → %s", (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });
});

describe("planBlocks", () => {
  it.each([
    [256 * 2 ** 20, 16, 0],
    [64 * 2 ** 20, 100, 8 * 2 ** 20],
    [2 ** 20, 3, 1000],
  ])(
    "budget %i B, %i features, index %i B → index + buffers + two blocks fit the budget",
    (memoryBudget, numFeatures, indexBytes) => {
      const plan = planBlocks({ memoryBudget, numFeatures, indexBytes });
      const perSample = 4 * numFeatures + SAMPLE_OVERHEAD_BYTES;
      const used = indexBytes + plan.readConcurrency * plan.readBytes + 2 * plan.blockSamples * perSample;
      expect(used).toBeLessThanOrEqual(memoryBudget);
      expect(used + 2 * perSample).toBeGreaterThan(memoryBudget); // one more sample per block would not fit
    },
  );

  it("a bigger budget → bigger blocks, not more memory per sample", () => {
    const small = planBlocks({ memoryBudget: 64 * 2 ** 20, numFeatures: 16, indexBytes: 0 });
    const large = planBlocks({ memoryBudget: 512 * 2 ** 20, numFeatures: 16, indexBytes: 0 });
    expect(large.blockSamples).toBeGreaterThan(7 * small.blockSamples);
  });

  it("an index larger than the budget → DataError giving the size needed", () => {
    expect(() => planBlocks({ memoryBudget: 2 ** 20, numFeatures: 4, indexBytes: 2 ** 20 })).toThrow(
      /memoryBudget 1 MiB is too small: the row index takes 1 MiB and the read buffers 256 KiB; give at least/,
    );
  });
});
