import { boolean, nonNegativeInteger, PlanError, positiveInteger } from "./validate.ts";

/** How one pass over `numSamples` samples splits into batches of `batchSize`. */
export interface PassLayout {
  numSamples: number;
  batchSize: number;
  dropRemainder: boolean;
  /** Batches (= optimizer steps) in one pass: ceil(N/B), or floor(N/B) with dropRemainder. */
  stepsPerPass: number;
  /** Samples in the last batch of a pass (equals batchSize when it is full). */
  lastBatchSize: number;
  /** Samples never seen in a pass: N mod B with dropRemainder, else 0. */
  samplesDroppedPerPass: number;
}

/**
 * Splits a pass into batches. Throws `PlanError` for a non-positive count, or when
 * dropRemainder leaves no full batch (batchSize > numSamples).
 * @example passLayout({ numSamples: 30000, batchSize: 32 }) // stepsPerPass 938, lastBatchSize 16
 */
export function passLayout(options: {
  numSamples: number;
  batchSize: number;
  dropRemainder?: boolean;
}): PassLayout {
  const numSamples = positiveInteger("numSamples", options.numSamples);
  const batchSize = positiveInteger("batchSize", options.batchSize);
  const dropRemainder = boolean("dropRemainder", options.dropRemainder ?? false);
  const remainder = numSamples % batchSize;
  if (dropRemainder) {
    const stepsPerPass = Math.floor(numSamples / batchSize);
    if (stepsPerPass === 0) {
      throw new PlanError(
        `batchSize ${batchSize} exceeds numSamples ${numSamples}: dropRemainder would drop every sample`,
      );
    }
    return {
      numSamples,
      batchSize,
      dropRemainder,
      stepsPerPass,
      lastBatchSize: batchSize,
      samplesDroppedPerPass: remainder,
    };
  }
  return {
    numSamples,
    batchSize,
    dropRemainder,
    stepsPerPass: Math.ceil(numSamples / batchSize),
    lastBatchSize: remainder === 0 ? batchSize : remainder,
    samplesDroppedPerPass: 0,
  };
}

/** Sample offsets `[start, end)` within a pass that batch `batchInPass` holds. Throws on a batch outside the pass. */
export function batchBounds(layout: PassLayout, batchInPass: number): { start: number; end: number } {
  nonNegativeInteger("batchInPass", batchInPass);
  if (batchInPass >= layout.stepsPerPass) {
    throw new PlanError(`batchInPass must be below stepsPerPass ${layout.stepsPerPass}, got ${batchInPass}`);
  }
  const start = batchInPass * layout.batchSize;
  const end =
    batchInPass === layout.stepsPerPass - 1 ? start + layout.lastBatchSize : start + layout.batchSize;
  return { start, end };
}

/** Samples in batches `[firstBatch, endBatch)` of one pass. */
export function samplesInBatches(layout: PassLayout, firstBatch: number, endBatch: number): number {
  if (endBatch <= firstBatch) return 0;
  const full = (endBatch - firstBatch) * layout.batchSize;
  return endBatch === layout.stepsPerPass ? full - layout.batchSize + layout.lastBatchSize : full;
}
