import { passLayout } from "@stepwise/core";
import type { Batch, SampleSource } from "../types.ts";
import { batchSamples } from "./batch.ts";
import { integerAtLeast, PipelineError } from "./errors.ts";
import { passSamples } from "./pass.ts";

export interface ValidationOptions {
  batchSize: number;
  /** Batches per validation run; unset/null = one full pass. */
  validationSteps?: number | null;
  /** Training epoch this run follows, copied into each batch's `epoch`. Default 0. */
  epoch?: number;
}

/**
 * One validation run (rule 4): from the start of `source`, unshuffled, never dropping the
 * partial last batch; one full pass, or the first `validationSteps` batches. Each call starts
 * again at the beginning. `step`/`stepInEpoch`/`batchInPass` count batches within the run.
 * Throws `PipelineError` when validationSteps exceeds one pass — before reading when numSamples
 * is known, else when the pass ends short.
 */
export function validationBatches(source: SampleSource, options: ValidationOptions): AsyncIterable<Batch> {
  const batchSize = integerAtLeast("validation batchSize", options.batchSize, 1);
  const steps = options.validationSteps ?? null;
  if (steps !== null) integerAtLeast("validationSteps", steps, 1);
  const epoch = integerAtLeast("epoch", options.epoch ?? 0, 0);
  const tooMany = (stepsPerPass: number) =>
    new PipelineError(
      `validationSteps ${steps} exceeds the ${stepsPerPass} steps of one validation pass (batch ${batchSize})`,
    );
  if (steps !== null && source.numSamples !== null) {
    const { stepsPerPass } = passLayout({ numSamples: source.numSamples, batchSize });
    if (steps > stepsPerPass) throw tooMany(stepsPerPass);
  }
  return {
    async *[Symbol.asyncIterator]() {
      const samples = passSamples(source, {
        seed: 0,
        pass: 0,
        shuffle: "none",
        shuffleBuffer: 1,
        shard: null,
      });
      let step = 0;
      for await (const data of batchSamples(samples, { batchSize, numFeatures: source.numFeatures })) {
        yield { ...data, step, epoch, stepInEpoch: step, pass: 0, batchInPass: step };
        step++;
        if (step === steps) return;
      }
      if (steps !== null && step < steps) throw tooMany(step);
    },
  };
}
