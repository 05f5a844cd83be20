import { describe, expect, it } from "vitest";
import { isPartialRun, ratiosOf } from "./ratios.ts";
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
