import { type ShardLayout, type ShardPolicy, shardLayout } from "./shard.ts";
import { type PassLayout, passLayout, samplesInBatches } from "./steps.ts";
import { boolean, nonNegativeInteger, oneOf, PlanError, positiveInteger, quote } from "./validate.ts";

/** `repeat`: epochs are slices of an endless sequence of passes (rule 2). `stop`: Keras 3, an epoch ends when the data does. */
export type OnExhausted = "repeat" | "stop";
export const ON_EXHAUSTED: readonly OnExhausted[] = ["repeat", "stop"];

/** Everything the plan needs; counts are per run, before sharding. */
export interface PlanOptions {
  /** Training samples; `null` when unknown (a stream). */
  numSamples: number | null;
  batchSize: number;
  /** Index of the last epoch plus one (the Keras meaning). Default 1. */
  epochs?: number;
  /** First epoch to run (0-based). Default 0. */
  initialEpoch?: number;
  /** Steps per epoch; unset = one pass per epoch (rule 1). */
  stepsPerEpoch?: number | null;
  dropRemainder?: boolean;
  onExhausted?: OnExhausted;
  /** Validation samples: unset = no validation data; `null` = validation data of unknown size. */
  validationSamples?: number | null;
  /** Validation batches per run; unset = one full validation pass. */
  validationSteps?: number | null;
  /** Default: batchSize. */
  validationBatchSize?: number;
  /** Validate after every k-th epoch, or after the listed 1-based epochs. Default 1. */
  validationFreq?: number | readonly number[];
  numShards?: number;
  shardIndex?: number;
  shardPolicy?: ShardPolicy;
}

/** Batches `[firstBatch, endBatch)` of pass `pass` (0-based batch indices of this rank's pass). */
export interface PassSpan {
  pass: number;
  firstBatch: number;
  endBatch: number;
  samples: number;
}

/** One epoch: global steps `[startStep, endStep)`; `null` where numSamples is unknown. */
export interface EpochPlan {
  epoch: number;
  startStep: number | null;
  endStep: number | null;
  steps: number | null;
  samples: number | null;
  passes: PassSpan[] | null;
  validate: boolean;
}

/** The whole run, computed before any data is read. Step and sample counts are per rank. */
export interface Plan {
  version: 1;
  numSamples: number | null;
  batchSize: number;
  dropRemainder: boolean;
  onExhausted: OnExhausted;
  initialEpoch: number;
  endEpoch: number;
  stepsPerPass: number | null;
  lastBatchSize: number | null;
  samplesDroppedPerPass: number | null;
  /** Steps of a full epoch: S when given, else one pass (rule 1). With `stop`, epochs may be shorter. */
  stepsPerEpoch: number | null;
  epochs: EpochPlan[];
  totalSteps: number | null;
  totalSamples: number | null;
  validationSamples: number | null;
  validationBatchSize: number | null;
  validationSteps: number | null;
  validationLastBatchSize: number | null;
  validationFreq: number | number[];
  shard: (Omit<ShardLayout, "numSamples" | "policy"> & { policy: ShardPolicy }) | null;
  warnings: string[];
}

function optionalPositive(name: string, value: number | null | undefined): number | null {
  return value === undefined || value === null ? null : positiveInteger(name, value);
}

function validationFreqOf(value: PlanOptions["validationFreq"]): number | number[] {
  if (value === undefined) return 1;
  if (Array.isArray(value)) {
    if (value.length === 0) throw new PlanError(`validationFreq must not be an empty list, got []`);
    for (const epoch of value) positiveInteger("validationFreq epoch (1-based)", epoch);
    return [...value].sort((a, b) => a - b);
  }
  return positiveInteger("validationFreq", value);
}

/** Whether validation follows epoch `epoch` (0-based) under `freq` (Keras: k, or 1-based epoch list). */
export function validatesAfter(freq: number | readonly number[], epoch: number): boolean {
  return typeof freq === "number" ? (epoch + 1) % freq === 0 : freq.includes(epoch + 1);
}

interface Validation {
  validationSamples: number | null;
  validationBatchSize: number | null;
  validationSteps: number | null;
  validationLastBatchSize: number | null;
}

function planValidation(options: PlanOptions, batchSize: number, warnings: string[]): Validation | null {
  const hasData = options.validationSamples !== undefined;
  const steps = optionalPositive("validationSteps", options.validationSteps);
  const validationBatchSize = positiveInteger(
    "validationBatchSize",
    options.validationBatchSize ?? batchSize,
  );
  if (!hasData) {
    if (steps !== null) {
      throw new PlanError(`validationSteps ${steps} was given without validation data`);
    }
    return null;
  }
  const validationSamples = optionalPositive("validationSamples", options.validationSamples);
  if (validationSamples === null) {
    if (steps === null) warnings.push("validation size unknown: each validation run reads one full pass");
    return { validationSamples, validationBatchSize, validationSteps: steps, validationLastBatchSize: null };
  }
  // Validation never drops samples: dropRemainder is about training steps, not about scoring.
  const layout = passLayout({ numSamples: validationSamples, batchSize: validationBatchSize });
  if (steps !== null && steps > layout.stepsPerPass) {
    throw new PlanError(
      `validationSteps ${steps} exceeds the ${layout.stepsPerPass} steps of one validation pass ` +
        `(${validationSamples} samples, batch ${validationBatchSize})`,
    );
  }
  const validationSteps = steps ?? layout.stepsPerPass;
  const validationLastBatchSize =
    validationSteps === layout.stepsPerPass ? layout.lastBatchSize : validationBatchSize;
  return { validationSamples, validationBatchSize, validationSteps, validationLastBatchSize };
}

/** Pass spans covered by global steps `[start, end)` when passes have `stepsPerPass` batches. */
function spansOf(layout: PassLayout, start: number, end: number): PassSpan[] {
  const spans: PassSpan[] = [];
  const perPass = layout.stepsPerPass;
  for (let pass = Math.floor(start / perPass); pass * perPass < end; pass++) {
    const firstBatch = Math.max(start, pass * perPass) - pass * perPass;
    const endBatch = Math.min(end, (pass + 1) * perPass) - pass * perPass;
    spans.push({ pass, firstBatch, endBatch, samples: samplesInBatches(layout, firstBatch, endBatch) });
  }
  return spans;
}

/** Epoch `epoch`'s global step range for known pass sizes, under either exhaustion policy. */
export function epochRange(
  schedule: { stepsPerPass: number; stepsPerEpoch: number; onExhausted: OnExhausted },
  epoch: number,
): { startStep: number; endStep: number } {
  const { stepsPerPass: perPass, stepsPerEpoch: perEpoch } = schedule;
  if (schedule.onExhausted === "repeat") {
    return { startStep: epoch * perEpoch, endStep: (epoch + 1) * perEpoch };
  }
  // stop: each pass is cut into ceil(P/S) epochs, the last one short; no batch is skipped,
  // so global steps still map to passes as floor(step / P).
  const epochsPerPass = Math.ceil(perPass / perEpoch);
  const pass = Math.floor(epoch / epochsPerPass);
  const first = (epoch % epochsPerPass) * perEpoch;
  const end = Math.min(first + perEpoch, perPass);
  return { startStep: pass * perPass + first, endStep: pass * perPass + end };
}

function describeList(values: number[], limit = 5): string {
  const shown = values.slice(0, limit).join(", ");
  return values.length > limit ? `${shown}, … (${values.length} in all)` : shown;
}

/**
 * Most epochs one plan holds: it lists every epoch (steps, passes, validation), so its size grows
 * with their count. More epochs than this are better planned as fewer, longer ones (`stepsPerEpoch`).
 */
export const MAX_PLANNED_EPOCHS = 100_000;

/** Refuses step counts past 2^53 − 1, where step numbers stop being exact. */
function checkStepRange(endEpoch: number, stepsPerEpoch: number | null): void {
  if (stepsPerEpoch !== null && endEpoch * stepsPerEpoch > Number.MAX_SAFE_INTEGER) {
    throw new PlanError(
      `epochs ${endEpoch} × ${stepsPerEpoch} steps per epoch is more steps than can be counted exactly (2^53 − 1); lower epochs or stepsPerEpoch`,
    );
  }
}

/**
 * The epoch plan: per-epoch step ranges, passes and batches covered, validation, totals and
 * warnings, all before any data is read. Throws `PlanError` naming the bad argument and its value.
 * @example plan({ numSamples: 30000, batchSize: 32, epochs: 10, validationSamples: 5000 }).stepsPerEpoch // 938
 */
export function plan(options: PlanOptions): Plan {
  const warnings: string[] = [];
  const batchSize = positiveInteger("batchSize", options.batchSize);
  const endEpoch = positiveInteger("epochs", options.epochs ?? 1);
  const initialEpoch = nonNegativeInteger("initialEpoch", options.initialEpoch ?? 0);
  if (initialEpoch >= endEpoch) {
    throw new PlanError(
      `initialEpoch must be below epochs ${endEpoch} (epochs counts from 0 to epochs - 1), got ${initialEpoch}`,
    );
  }
  if (endEpoch - initialEpoch > MAX_PLANNED_EPOCHS) {
    throw new PlanError(
      `epochs ${endEpoch} (from initialEpoch ${initialEpoch}) plans ${endEpoch - initialEpoch} epochs, more than the ${MAX_PLANNED_EPOCHS} a plan lists; plan fewer, longer epochs (stepsPerEpoch)`,
    );
  }
  const dropRemainder = boolean("dropRemainder", options.dropRemainder ?? false);
  const onExhausted = oneOf("onExhausted", options.onExhausted ?? "repeat", ON_EXHAUSTED);
  const requestedSteps = optionalPositive("stepsPerEpoch", options.stepsPerEpoch);
  checkStepRange(endEpoch, requestedSteps);
  const totalSamplesKnown =
    options.numSamples === null ? null : positiveInteger("numSamples", options.numSamples);
  const numShards = positiveInteger("numShards", options.numShards ?? 1);
  const shardIndex = nonNegativeInteger("shardIndex", options.shardIndex ?? 0);
  const shardPolicy = oneOf("shardPolicy", options.shardPolicy ?? "pad", ["pad", "drop"] as const);
  if (shardIndex >= numShards) {
    throw new PlanError(`shardIndex must be below numShards ${numShards}, got ${shardIndex}`);
  }
  const validationFreq = validationFreqOf(options.validationFreq);
  const validation = planValidation(options, batchSize, warnings);

  let shard: Plan["shard"] = null;
  let samplesPerRank = totalSamplesKnown;
  if (numShards > 1) {
    if (totalSamplesKnown === null) {
      if (requestedSteps === null || onExhausted !== "repeat") {
        throw new PlanError(
          `numShards ${numShards} with an unknown numSamples needs stepsPerEpoch and onExhausted "repeat", ` +
            `or ranks could run different step counts`,
        );
      }
    } else {
      const layout = shardLayout({
        numSamples: totalSamplesKnown,
        numShards,
        shardIndex,
        policy: shardPolicy,
      });
      const { numSamples: _n, ...rest } = layout;
      shard = rest;
      samplesPerRank = layout.samplesPerShard;
      if (layout.paddedSamples > 0) {
        warnings.push(
          `sharding repeats ${layout.paddedSamples} samples per pass so all ${numShards} ranks see ${layout.samplesPerShard} samples`,
        );
      }
      if (layout.droppedSamples > 0) {
        warnings.push(
          `sharding drops ${layout.droppedSamples} samples per pass so all ${numShards} ranks see ${layout.samplesPerShard} samples`,
        );
      }
    }
    if (validation)
      warnings.push("validation is not sharded: every rank evaluates the whole validation data");
  }

  const base = {
    version: 1 as const,
    numSamples: totalSamplesKnown,
    batchSize,
    dropRemainder,
    onExhausted,
    initialEpoch,
    endEpoch,
    validationSamples: validation?.validationSamples ?? null,
    validationBatchSize: validation?.validationBatchSize ?? null,
    validationSteps: validation?.validationSteps ?? null,
    validationLastBatchSize: validation?.validationLastBatchSize ?? null,
    validationFreq,
    shard,
    warnings,
  };
  const validateAt = (epoch: number): boolean => validation !== null && validatesAfter(validationFreq, epoch);
  const epochNumbers = Array.from({ length: endEpoch - initialEpoch }, (_, i) => initialEpoch + i);
  if (validation && !epochNumbers.some(validateAt)) {
    warnings.push(
      `validationFreq ${quote(validationFreq)} never validates in epochs ${initialEpoch}–${endEpoch - 1}`,
    );
  }

  if (samplesPerRank === null) {
    warnings.push(
      requestedSteps === null
        ? "numSamples unknown: the steps of an epoch (one pass) are discovered on the first pass"
        : "numSamples unknown: pass boundaries inside epochs are discovered while reading",
    );
    const known = requestedSteps !== null && onExhausted === "repeat";
    const epochs = epochNumbers.map(
      (epoch): EpochPlan => ({
        epoch,
        startStep: known ? epoch * (requestedSteps as number) : epoch === 0 ? 0 : null,
        endStep: known ? (epoch + 1) * (requestedSteps as number) : null,
        steps: known ? requestedSteps : null,
        samples: null,
        passes: null,
        validate: validateAt(epoch),
      }),
    );
    return {
      ...base,
      stepsPerPass: null,
      lastBatchSize: null,
      samplesDroppedPerPass: null,
      stepsPerEpoch: requestedSteps,
      epochs,
      totalSteps: known ? epochs.length * (requestedSteps as number) : null,
      totalSamples: null,
      warnings,
    };
  }

  const layout = passLayout({ numSamples: samplesPerRank, batchSize, dropRemainder });
  if (batchSize > samplesPerRank && !dropRemainder) {
    warnings.push(
      `batchSize ${batchSize} exceeds the ${samplesPerRank} samples of a pass: each pass is one partial batch of ${samplesPerRank}`,
    );
  }
  if (layout.samplesDroppedPerPass > 0) {
    warnings.push(
      `dropRemainder drops ${layout.samplesDroppedPerPass} of ${samplesPerRank} samples per pass (the partial last batch)`,
    );
  }
  const stepsPerEpoch = requestedSteps ?? layout.stepsPerPass;
  checkStepRange(endEpoch, stepsPerEpoch);
  if (requestedSteps !== null && requestedSteps > layout.stepsPerPass) {
    warnings.push(
      onExhausted === "repeat"
        ? `stepsPerEpoch ${requestedSteps} exceeds the ${layout.stepsPerPass} steps of one pass: ` +
            `each epoch repeats the data ${(requestedSteps / layout.stepsPerPass).toFixed(2)} times`
        : `stepsPerEpoch ${requestedSteps} exceeds the ${layout.stepsPerPass} steps of one pass: ` +
            `with onExhausted "stop" every epoch ends after one pass of ${layout.stepsPerPass} steps`,
    );
  }
  const schedule = { stepsPerPass: layout.stepsPerPass, stepsPerEpoch, onExhausted };
  const epochs = epochNumbers.map((epoch): EpochPlan => {
    const { startStep, endStep } = epochRange(schedule, epoch);
    const passes = spansOf(layout, startStep, endStep);
    return {
      epoch,
      startStep,
      endStep,
      steps: endStep - startStep,
      samples: passes.reduce((sum, span) => sum + span.samples, 0),
      passes,
      validate: validateAt(epoch),
    };
  });
  const short = epochs.filter((e) => (e.steps as number) < stepsPerEpoch);
  if (
    onExhausted === "stop" &&
    requestedSteps !== null &&
    requestedSteps <= layout.stepsPerPass &&
    short.length > 0
  ) {
    warnings.push(
      `onExhausted "stop": epochs ${describeList(short.map((e) => e.epoch))} end early when the data runs out ` +
        `(${short[0]?.steps} of ${stepsPerEpoch} steps), as Keras 3 does`,
    );
  }
  const totalSteps = epochs.reduce((sum, e) => sum + (e.steps as number), 0);
  const totalSamples = epochs.reduce((sum, e) => sum + (e.samples as number), 0);
  return {
    ...base,
    stepsPerPass: layout.stepsPerPass,
    lastBatchSize: layout.lastBatchSize,
    samplesDroppedPerPass: layout.samplesDroppedPerPass,
    stepsPerEpoch,
    epochs,
    totalSteps,
    totalSamples,
    warnings,
  };
}
