import { epochRange, type Plan } from "./plan.ts";
import { nonNegativeInteger, PlanError } from "./validate.ts";

/** The parts of a plan that position arithmetic needs. */
export type Schedule = Pick<Plan, "stepsPerPass" | "stepsPerEpoch" | "onExhausted" | "batchSize">;

/** Where global step `step` falls; `null` for pass fields while numSamples is unknown. */
export interface Position {
  step: number;
  epoch: number;
  stepInEpoch: number;
  pass: number | null;
  batchInPass: number | null;
  /** Offset of the batch's first sample within its pass (this rank's pass when sharded). */
  sampleOffset: number | null;
}

function knownSchedule(schedule: Schedule) {
  const { stepsPerPass, stepsPerEpoch, onExhausted } = schedule;
  if (stepsPerPass === null || stepsPerEpoch === null) return null;
  return { stepsPerPass, stepsPerEpoch, onExhausted };
}

/**
 * Maps a global step to (epoch, step in epoch, pass, batch in pass, first sample offset).
 * Throws `PlanError` for a negative step, or when numSamples is unknown and epochs are not
 * fixed-length (no stepsPerEpoch, or onExhausted "stop").
 */
export function locateStep(schedule: Schedule, step: number): Position {
  nonNegativeInteger("step", step);
  const known = knownSchedule(schedule);
  if (known === null) {
    if (schedule.stepsPerEpoch === null || schedule.onExhausted !== "repeat") {
      throw new PlanError(
        "cannot locate a step while numSamples is unknown and epochs are not fixed-length (set stepsPerEpoch)",
      );
    }
    const perEpoch = schedule.stepsPerEpoch;
    return {
      step,
      epoch: Math.floor(step / perEpoch),
      stepInEpoch: step % perEpoch,
      pass: null,
      batchInPass: null,
      sampleOffset: null,
    };
  }
  const pass = Math.floor(step / known.stepsPerPass);
  const batchInPass = step % known.stepsPerPass;
  let epoch: number;
  if (known.onExhausted === "repeat") {
    epoch = Math.floor(step / known.stepsPerEpoch);
  } else {
    const epochsPerPass = Math.ceil(known.stepsPerPass / known.stepsPerEpoch);
    epoch = pass * epochsPerPass + Math.floor(batchInPass / known.stepsPerEpoch);
  }
  const { startStep } = epochRange(known, epoch);
  return {
    step,
    epoch,
    stepInEpoch: step - startStep,
    pass,
    batchInPass,
    sampleOffset: batchInPass * schedule.batchSize,
  };
}

/** First global step of `epoch`. Throws `PlanError` when it is not determined before reading data. */
export function epochStartStep(schedule: Schedule, epoch: number): number {
  nonNegativeInteger("epoch", epoch);
  const known = knownSchedule(schedule);
  if (known) return epochRange(known, epoch).startStep;
  if (schedule.stepsPerEpoch !== null && schedule.onExhausted === "repeat") {
    return epoch * schedule.stepsPerEpoch;
  }
  if (epoch === 0) return 0;
  throw new PlanError(
    `epoch ${epoch} has no known start step while numSamples is unknown and stepsPerEpoch is unset`,
  );
}

/** Global step of step `stepInEpoch` of `epoch` (the inverse of `locateStep`). Throws past the epoch's end. */
export function stepOf(schedule: Schedule, position: { epoch: number; stepInEpoch: number }): number {
  nonNegativeInteger("stepInEpoch", position.stepInEpoch);
  const start = epochStartStep(schedule, position.epoch);
  const known = knownSchedule(schedule);
  const steps = known ? epochRange(known, position.epoch).endStep - start : schedule.stepsPerEpoch;
  if (steps !== null && position.stepInEpoch >= steps) {
    throw new PlanError(
      `stepInEpoch must be below the ${steps} steps of epoch ${position.epoch}, got ${position.stepInEpoch}`,
    );
  }
  return start + position.stepInEpoch;
}

/** Global step that reads batch `batchInPass` of pass `pass`. Throws when pass sizes are unknown. */
export function stepAtBatch(schedule: Schedule, position: { pass: number; batchInPass: number }): number {
  nonNegativeInteger("pass", position.pass);
  nonNegativeInteger("batchInPass", position.batchInPass);
  if (schedule.stepsPerPass === null) {
    throw new PlanError("cannot map a batch to a step while numSamples is unknown");
  }
  if (position.batchInPass >= schedule.stepsPerPass) {
    throw new PlanError(
      `batchInPass must be below stepsPerPass ${schedule.stepsPerPass}, got ${position.batchInPass}`,
    );
  }
  return position.pass * schedule.stepsPerPass + position.batchInPass;
}
