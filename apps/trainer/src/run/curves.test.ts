import { describe, expect, it } from "vitest";
import { curvePoints, renderCurvesSvg } from "./curves.ts";
import type { EpochRecord } from "./history.ts";

const records: EpochRecord[] = [
  {
    epoch: 0,
    steps: 2,
    samples: 10,
    loss: 1.5,
    metrics: { accuracy: 0.4 },
    valLoss: 1.6,
    valMetrics: { accuracy: 0.3 },
    seconds: 1,
  },
  {
    epoch: 1,
    steps: 2,
    samples: 10,
    loss: 0.9,
    metrics: { accuracy: 0.7 },
    valLoss: null,
    valMetrics: null,
    seconds: 1,
  },
];

describe("learning curves", () => {
  it("an epoch without validation → train points only for that epoch", () => {
    const points = curvePoints(records, ["accuracy"]);
    expect(points.filter((p) => p.epoch === 2).map((p) => p.split)).toEqual(["train", "train"]);
    expect(points.filter((p) => p.epoch === 1)).toHaveLength(4);
  });

  it("history → an SVG document with a panel per quantity and both splits in the legend", async () => {
    const svg = await renderCurvesSvg(records, ["accuracy"], "iris");
    expect(svg.startsWith("<svg")).toBe(true);
    expect(svg).toContain("validation");
    expect(svg).toContain("accuracy");
    expect(svg).toContain("loss");
  });
});
