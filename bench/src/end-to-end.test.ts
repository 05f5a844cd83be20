import { describe, expect, it } from "vitest";
import { type EndToEndResult, formatEndToEnd, medianPhases, summarizeEndToEnd } from "./end-to-end.ts";

describe("end-to-end figures", () => {
  it("phases of three runs, one missing a phase → the median per phase, a missing one counting 0", () => {
    expect(
      medianPhases([
        { start: 1, schema: 3, training: 10 },
        { start: 2, training: 12 },
        { start: 3, schema: 1, training: 11 },
      ]),
    ).toEqual({ start: 2, schema: 1, training: 11 });
    expect(medianPhases([])).toBeNull();
  });

  it("runs → medians of time and first step; a skipped contender → its reason and no figures", () => {
    const runs = [
      { seconds: 10, firstStepSeconds: 2, phases: { start: 1 } },
      { seconds: 14, firstStepSeconds: 1, phases: { start: 3 } },
      { seconds: 12, firstStepSeconds: null, phases: { start: 2 } },
    ];
    expect(summarizeEndToEnd("stepwiseCached", runs, null)).toMatchObject({
      pending: null,
      runs: 3,
      medianSeconds: 12,
      medianFirstStepSeconds: 1.5,
      phases: { start: 2 },
      secondsPerRun: [10, 14, 12],
    });
    const skipped = summarizeEndToEnd("torch1", [], "skipped: no torch");
    expect(skipped).toMatchObject({ pending: "skipped: no torch", medianSeconds: null, phases: null });
  });

  it("a result → one row per contender with its time over PyTorch's, and a phase table of the stepwise runs", () => {
    const result: EndToEndResult = {
      file: "bench/.data/n.csv",
      numRows: 1000,
      batchSize: 32,
      contenders: [
        summarizeEndToEnd(
          "stepwiseCold",
          [{ seconds: 6, firstStepSeconds: 3, phases: { schema: 3, training: 3 } }],
          null,
        ),
        summarizeEndToEnd(
          "stepwiseCached",
          [{ seconds: 4, firstStepSeconds: 1, phases: { training: 4 } }],
          null,
        ),
        summarizeEndToEnd("torch1", [{ seconds: 10, firstStepSeconds: 2, phases: null }], null),
        summarizeEndToEnd("torch2", [], "failed: out of memory"),
      ],
    };
    const table = formatEndToEnd(result);
    expect(table).toContain(
      "| stepwise train (schema fit and row index cached) | 4.00 s | 1.00 s | 0.40× | – |",
    );
    expect(table).toContain("| pandas.read_csv + PyTorch, 2 threads | failed: out of memory |");
    expect(table).toContain("| schema | 3.000 s (50.0%) | 0.000 s (0.0%) |");
    expect(table).toContain("| training | 3.000 s (50.0%) | 4.000 s (100.0%) |");
  });
});
