import { describe, expect, it } from "vitest";
import { type ColdStartResult, formatColdStart, median } from "./cold-start.ts";

describe("cold-start figures", () => {
  it("median of an odd and an even list → the middle value, the mean of the two middle values", () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it("a result → one table row per launcher, each time over the built bin's", () => {
    const result: ColdStartResult = {
      runs: 3,
      medianSeconds: {
        help: { tsxWrapper: 2, sourceHook: 1, built: 0.5 },
        plan: { tsxWrapper: 3, sourceHook: 1.5, built: 1 },
      },
      ratios: { helpVsTsxWrapper: 4, helpVsSourceHook: 2, planVsTsxWrapper: 3, planVsSourceHook: 1.5 },
    };
    const table = formatColdStart(result);
    expect(table).toContain("| 2.000 s (4.00×) | 3.000 s (3.00×) |");
    expect(table).toContain("| stepwise (built JavaScript) | 0.500 s (1.00×) | 1.000 s (1.00×) |");
  });
});
