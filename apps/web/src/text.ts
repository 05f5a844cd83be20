// What the page writes as text: the epoch plan before training and Keras-like progress lines.
import type { Plan } from "@stepwise/core";

/** The plan's numbers as label/value pairs, in the order the page lists them. */
export function planRows(plan: Plan, numTrain: number, numValidation: number): [string, string][] {
  return [
    ["training samples (numSamples)", String(numTrain)],
    ["validation samples", String(numValidation)],
    ["batchSize", String(plan.batchSize)],
    ["stepsPerEpoch", String(plan.stepsPerEpoch)],
    ["last batch of a pass", `${plan.lastBatchSize} samples`],
    ["epochs", String(plan.endEpoch - plan.initialEpoch)],
    ["total steps", String(plan.totalSteps)],
    ["validation steps", String(plan.validationSteps)],
  ];
}

export interface Progress {
  epoch: number;
  epochs: number;
  /** Steps done in this epoch, 1-based. */
  step: number;
  stepsPerEpoch: number;
  loss: number;
  accuracy: number | null;
  validation?: { loss: number; accuracy: number | null } | null;
}

const metric = (name: string, value: number | null): string =>
  value === null ? "" : ` - ${name}: ${value.toFixed(4)}`;

/**
 * One Keras-like progress line: `Epoch 3/60 5/8 [=========>..........] - loss: 0.4123 - accuracy: 0.8750`.
 * @example progressLine({ epoch: 0, epochs: 2, step: 8, stepsPerEpoch: 8, loss: 0.5, accuracy: 0.75 })
 */
export function progressLine(p: Progress): string {
  const width = 30;
  const done = Math.round((width * p.step) / p.stepsPerEpoch);
  const bar =
    p.step >= p.stepsPerEpoch
      ? "=".repeat(width)
      : `${"=".repeat(Math.max(0, done - 1))}>${".".repeat(width - Math.max(1, done))}`;
  const steps = `${String(p.step).padStart(String(p.stepsPerEpoch).length)}/${p.stepsPerEpoch}`;
  const validation = p.validation
    ? `${metric("val_loss", p.validation.loss)}${metric("val_accuracy", p.validation.accuracy)}`
    : "";
  return `Epoch ${p.epoch + 1}/${p.epochs} ${steps} [${bar}]${metric("loss", p.loss)}${metric("accuracy", p.accuracy)}${validation}`;
}
