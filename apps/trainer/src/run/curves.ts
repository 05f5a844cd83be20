import type { EpochRecord } from "./history.ts";

interface Point {
  epoch: number;
  quantity: string;
  split: "train" | "validation";
  value: number;
}

/** Long-form points: one per (epoch, quantity, split), validation only where it ran. */
export function curvePoints(records: readonly EpochRecord[], metricNames: readonly string[]): Point[] {
  const points: Point[] = [];
  for (const r of records) {
    // 1-based epochs on the x axis, as the progress display counts them.
    const epoch = r.epoch + 1;
    points.push({ epoch, quantity: "loss", split: "train", value: r.loss });
    if (r.valLoss !== null) points.push({ epoch, quantity: "loss", split: "validation", value: r.valLoss });
    for (const name of metricNames) {
      const train = r.metrics[name];
      const validation = r.valMetrics?.[name];
      if (train !== undefined && Number.isFinite(train))
        points.push({ epoch, quantity: name, split: "train", value: train });
      if (validation !== undefined && Number.isFinite(validation)) {
        points.push({ epoch, quantity: name, split: "validation", value: validation });
      }
    }
  }
  return points.filter((p) => Number.isFinite(p.value));
}

/** The Vega-Lite spec: one panel per quantity (loss, then metrics), train vs validation lines. */
export function curvesSpec(
  records: readonly EpochRecord[],
  metricNames: readonly string[],
  title: string,
): object {
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title,
    data: { values: curvePoints(records, metricNames) },
    facet: { column: { field: "quantity", type: "nominal", title: null, sort: ["loss", ...metricNames] } },
    spec: {
      width: 260,
      height: 200,
      mark: { type: "line", point: true },
      encoding: {
        x: { field: "epoch", type: "quantitative", title: "epoch", axis: { tickMinStep: 1 } },
        y: { field: "value", type: "quantitative", title: null, scale: { zero: false } },
        color: { field: "split", type: "nominal", title: null, scale: { domain: ["train", "validation"] } },
      },
    },
    resolve: { scale: { y: "independent" } },
  };
}

/** Renders the learning curves to an SVG string with Vega-Lite + Vega, headless (no canvas, no browser). */
export async function renderCurvesSvg(
  records: readonly EpochRecord[],
  metricNames: readonly string[],
  title: string,
): Promise<string> {
  // Loaded on demand: the plotting stack is only needed once, at the end of a run.
  const [vega, vegaLite] = await Promise.all([import("vega"), import("vega-lite")]);
  const compiled = vegaLite.compile(
    curvesSpec(records, metricNames, title) as Parameters<typeof vegaLite.compile>[0],
  );
  const view = new vega.View(vega.parse(compiled.spec), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
