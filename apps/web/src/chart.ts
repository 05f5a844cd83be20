// A small line chart of loss and accuracy per step on a canvas (no chart library: two series).

export interface ChartPoint {
  step: number;
  loss: number;
  accuracy: number | null;
}

/** Draws `points` into `canvas`: loss (left scale, from 0 to its maximum) and accuracy (right scale, 0 to 1). */
export function drawChart(
  canvas: HTMLCanvasElement,
  points: readonly ChartPoint[],
  totalSteps: number,
): void {
  const context = canvas.getContext("2d");
  if (context === null) return;
  const { width, height } = canvas;
  const pad = 32;
  context.clearRect(0, 0, width, height);
  context.strokeStyle = "#ccc";
  context.strokeRect(pad, 8, width - pad * 2, height - pad - 8);
  context.fillStyle = "#555";
  context.font = "11px system-ui, sans-serif";
  context.fillText("loss", 2, 16);
  context.fillText("acc", width - pad + 4, 16);
  context.fillText(`step ${totalSteps}`, width - pad - 48, height - 10);
  if (points.length === 0) return;
  const maxLoss = Math.max(...points.map((p) => p.loss), 1e-9);
  const x = (step: number) => pad + ((width - pad * 2) * step) / Math.max(1, totalSteps);
  const y = (value: number) => 8 + (height - pad - 8) * (1 - value);
  const line = (color: string, value: (p: ChartPoint) => number | null) => {
    context.strokeStyle = color;
    context.lineWidth = 1.5;
    context.beginPath();
    let started = false;
    for (const p of points) {
      const v = value(p);
      if (v === null) continue;
      if (started) context.lineTo(x(p.step), y(v));
      else context.moveTo(x(p.step), y(v));
      started = true;
    }
    context.stroke();
  };
  line("#d9480f", (p) => p.loss / maxLoss);
  line("#1971c2", (p) => p.accuracy);
  context.fillStyle = "#555";
  context.fillText(maxLoss.toPrecision(3), 2, 28);
}
