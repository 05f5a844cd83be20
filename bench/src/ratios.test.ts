import { describe, expect, it } from "vitest";
import { summarizeEndToEnd } from "./end-to-end.ts";
import { endToEndRatios, isPartialRun, ratiosOf } from "./ratios.ts";
import type { ContenderSummary } from "./report.ts";

/** A contender with only the figure ratios look at (rows/s), or none when it did not run. */
function contender(id: string, rowsPerSecond: number | null): ContenderSummary {
  return {
    id,
    label: id,
    pending: rowsPerSecond === null ? "skipped: not here" : null,
    runs: rowsPerSecond === null ? 0 : 1,
    medianSeconds: rowsPerSecond === null ? null : 1,
    rowsPerSecond,
    mbPerSecond: null,
    peakRssMB: null,
    peakRssMaxMB: null,
    extra: {},
    secondsPerRun: [],
    peakRssPerRunMB: [],
  };
}

describe("ratiosOf", () => {
  it("numeric with the parse worker fastest → headline ratios use it, one-thread figures beside them", () => {
    const ratios = ratiosOf({
      numeric: [
        contender("tfDataCsv", 50),
        contender("pandasReadCsv", 1000),
        contender("stepwiseBatches", 2000),
        contender("stepwiseParallelBatches", 3000),
      ],
      mixed: [
        contender("tfDataCsv", 100),
        contender("stepwiseBatches", 900),
        contender("stepwiseParallelBatches", 800),
      ],
      train: [
        contender("fitDatasetTfDataCsv", 10),
        contender("trainerWorker", 80),
        contender("trainerMain", 70),
      ],
    });
    expect(ratios).toMatchObject({
      numericContender: "stepwiseParallelBatches",
      numericVsTfDataCsv: 60,
      numericVsPandas: 3,
      numericInThreadVsTfDataCsv: 40,
      mixedContender: "stepwiseBatches",
      mixedVsTfDataCsv: 9,
      trainEpochVsFitDataset: 8,
      trainEpochMainLoaderVsFitDataset: 7,
      trainEpochFullShuffleVsFitDataset: null,
    });
  });

  it("pandas absent (skipped) → its ratios are null, the others are not", () => {
    const ratios = ratiosOf({
      numeric: [
        contender("tfDataCsv", 50),
        contender("pandasReadCsv", null),
        contender("stepwiseBatches", 1500),
      ],
    });
    expect(ratios.numericVsPandas).toBeNull();
    expect(ratios.numericInThreadVsPandas).toBeNull();
    expect(ratios.numericVsTfDataCsv).toBe(30);
    expect(ratios.mixedVsTfDataCsv).toBeNull();
  });
});

describe("isPartialRun", () => {
  it.each([
    [undefined, ["numeric", "mixed", "train"], false],
    [undefined, ["numeric", "mixed", "train", "large"], false],
    [undefined, ["numeric", "train"], true],
    [["tfDataCsv"], ["numeric", "mixed", "train"], true],
  ] as const)("--only %j, suites %j → partial %s", (only, suites, expected) => {
    expect(isPartialRun(only, suites)).toBe(expected);
  });
});

describe("endToEndRatios", () => {
  const run = (seconds: number, firstStepSeconds: number | null) => [
    { seconds, firstStepSeconds, phases: null },
  ];

  it("all four contenders → stepwise's time over PyTorch's with 1 and 2 threads, and the first steps", () => {
    const ratios = endToEndRatios({
      file: "n.csv",
      numRows: 10,
      batchSize: 32,
      contenders: [
        summarizeEndToEnd("stepwiseCold", run(9, 4), null),
        summarizeEndToEnd("stepwiseCached", run(6, 0.5), null),
        summarizeEndToEnd("torch1", run(20, 3), null),
        summarizeEndToEnd("torch2", run(15, 2.5), null),
      ],
    });
    expect(ratios).toEqual({
      endToEndColdVsTorch1Thread: 0.45,
      endToEndColdVsTorch2Threads: 0.6,
      endToEndCachedVsTorch1Thread: 0.3,
      endToEndCachedVsTorch2Threads: 0.4,
      firstStepColdSeconds: 4,
      firstStepCachedSeconds: 0.5,
      firstStepTorch1ThreadSeconds: 3,
    });
  });

  it("PyTorch skipped, or no end-to-end run → null ratios, the stepwise first steps kept", () => {
    const ratios = endToEndRatios({
      file: "n.csv",
      numRows: 10,
      batchSize: 32,
      contenders: [
        summarizeEndToEnd("stepwiseCold", run(9, 4), null),
        summarizeEndToEnd("stepwiseCached", run(6, 0.5), null),
        summarizeEndToEnd("torch1", [], "skipped: no torch"),
        summarizeEndToEnd("torch2", [], "skipped: no torch"),
      ],
    });
    expect(ratios.endToEndCachedVsTorch1Thread).toBeNull();
    expect(ratios.endToEndColdVsTorch2Threads).toBeNull();
    expect(ratios.firstStepCachedSeconds).toBe(0.5);
    expect(Object.values(endToEndRatios(null)).every((v) => v === null)).toBe(true);
  });
});
