import cliProgress from "cli-progress";
import type { EpochRecord } from "./history.ts";

/** Running figures of the epoch in progress. */
export interface StepStats {
  /** Steps done in this epoch. */
  stepsDone: number;
  samplesDone: number;
  loss: number;
  metrics: Record<string, number>;
  /** Seconds since the epoch started, and of those, seconds spent waiting for the next batch. */
  seconds: number;
  waitSeconds: number;
}

/** How a training loop reports; the CLI picks a redrawing bar (TTY) or one line per epoch. */
export interface Progress {
  epochStart(epoch: number, endEpoch: number, steps: number): void;
  step(stats: StepStats): void;
  epochEnd(record: EpochRecord, stats: StepStats): void;
  /** Training stopped mid-epoch (an error, a signal): end the bar so the terminal is usable again. */
  abort?(): void;
}

/** Where progress goes: stdout in the CLI, a collector in tests. */
export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

function fixed(value: number): string {
  return Number.isFinite(value) ? value.toFixed(4) : String(value);
}

/** `loss: 0.1234 - accuracy: 0.9500`, the Keras way of listing logs. */
export function formatLogs(loss: number, metrics: Record<string, number>, prefix = ""): string {
  return [
    `${prefix}loss: ${fixed(loss)}`,
    ...Object.entries(metrics).map(([name, v]) => `${prefix}${name}: ${fixed(v)}`),
  ].join(" - ");
}

function rateOf(stats: StepStats): string {
  return stats.seconds > 0 ? String(Math.round(stats.samplesDone / stats.seconds)) : "-";
}

function waitOf(stats: StepStats): string {
  return stats.seconds > 0 ? `${Math.round((100 * stats.waitSeconds) / stats.seconds)}%` : "-";
}

function epochLogs(record: EpochRecord): string {
  const logs = [formatLogs(record.loss, record.metrics)];
  if (record.valLoss !== null) logs.push(formatLogs(record.valLoss, record.valMetrics ?? {}, "val_"));
  return logs.join(" - ");
}

/** One line per epoch, for pipes and CI logs where a redrawn bar would be noise. */
export function lineProgress(stream: ProgressStream): Progress {
  let header = "";
  let steps = 0;
  return {
    epochStart(epoch, endEpoch, stepsInEpoch) {
      header = `Epoch ${epoch + 1}/${endEpoch}`;
      steps = stepsInEpoch;
    },
    step() {},
    epochEnd(record, stats) {
      stream.write(
        `${header} - ${record.steps}/${steps} - ${record.seconds.toFixed(1)}s - ${epochLogs(record)}` +
          ` - ${rateOf(stats)} samples/s - input wait ${waitOf(stats)}\n`,
      );
    },
  };
}

function clock(seconds: number): string {
  if (!Number.isFinite(seconds)) return "-";
  const whole = Math.round(seconds);
  return whole >= 60 ? `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, "0")}` : `${whole}s`;
}

/**
 * Seconds left in an epoch from an exponential moving average of the time per step, so one
 * slow step (a garbage collection, a file read) moves the estimate by `alpha` of its excess
 * instead of swinging it. Bias-corrected as Adam's moments are, so the first steps' estimate is
 * their plain mean rather than pulled toward zero.
 */
export class EtaClock {
  private average = 0;
  private weight = 0;
  private lastSeconds = 0;
  private lastSteps = 0;
  constructor(private readonly alpha = 0.1) {}

  /** Records that `stepsDone` steps took `seconds` since the epoch started. */
  update(stepsDone: number, seconds: number): void {
    const steps = stepsDone - this.lastSteps;
    if (steps <= 0) return;
    const perStep = (seconds - this.lastSeconds) / steps;
    // `steps` steps at once weigh as that many single updates.
    const keep = (1 - this.alpha) ** steps;
    this.average = keep * this.average + (1 - keep) * perStep;
    this.weight = keep * this.weight + (1 - keep);
    this.lastSeconds = seconds;
    this.lastSteps = stepsDone;
  }

  /** Seconds for the `stepsLeft` steps still to run; NaN before the first step. */
  eta(stepsLeft: number): number {
    if (this.weight === 0) return Number.NaN;
    return (this.average / this.weight) * stepsLeft;
  }
}

/** Keras-like redrawn bar: `Epoch 3/10`, then `[====>   ] 412/938 | ETA 12s | loss … | samples/s | input wait`. */
export function barProgress(stream: ProgressStream): Progress {
  let bar: cliProgress.SingleBar | null = null;
  let eta = new EtaClock();
  let total = 0;
  const format: cliProgress.GenericFormatter = (options, params, payload) => {
    const done = params.value >= params.total;
    const time = done ? `${String(payload.seconds)}s` : `ETA ${clock(payload.eta as number)}`;
    const barText = cliProgress.Format.BarFormat(params.progress, options);
    return `${barText} ${params.value}/${params.total} | ${time} | ${payload.logs} | ${payload.rate} samples/s | input wait ${payload.wait}`;
  };
  return {
    epochStart(epoch, endEpoch, steps) {
      stream.write(`Epoch ${epoch + 1}/${endEpoch}\n`);
      eta = new EtaClock();
      total = steps;
      bar = new cliProgress.SingleBar(
        {
          format,
          stream: stream as NodeJS.WritableStream,
          barsize: 24,
          hideCursor: true,
          clearOnComplete: false,
          fps: 8,
        },
        cliProgress.Presets.shades_classic,
      );
      bar.start(steps, 0, { logs: "", rate: "-", wait: "-", seconds: "0", eta: Number.NaN });
    },
    step(stats) {
      eta.update(stats.stepsDone, stats.seconds);
      bar?.update(stats.stepsDone, {
        eta: eta.eta(total - stats.stepsDone),
        logs: formatLogs(stats.loss, stats.metrics),
        rate: rateOf(stats),
        wait: waitOf(stats),
        seconds: stats.seconds.toFixed(1),
      });
    },
    epochEnd(record, stats) {
      bar?.update(record.steps, {
        logs: epochLogs(record),
        rate: rateOf(stats),
        wait: waitOf(stats),
        seconds: record.seconds.toFixed(1),
      });
      bar?.stop();
      bar = null;
    },
    abort() {
      bar?.stop();
      bar = null;
      stream.write("\n");
    },
  };
}

/** The bar on a terminal, else one line per epoch. */
export function progressFor(stream: ProgressStream): Progress {
  return stream.isTTY ? barProgress(stream) : lineProgress(stream);
}
