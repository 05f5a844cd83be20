import {
  batchesInPass,
  epochRange,
  epochStartStep,
  locateBatch,
  locateStep,
  plan as makePlan,
  type Plan,
  type Redeal,
  type ShardLayout,
  shardLayout,
} from "@stepwise/core";
import type { Batch, SampleSource } from "../types.ts";
import type { Pipeline, PipelineOptions, PipelinePosition } from "./api.ts";
import { type BatchData, batchSamples } from "./batch.ts";
import { isBlockSource } from "./block.ts";
import { countSamples } from "./count.ts";
import { integerAtLeast, PipelineError } from "./errors.ts";
import { indexedStateAt, resumeIndexed, type StepLayout } from "./indexed-resume.ts";
import { resolveOptions } from "./options.ts";
import { passSamples } from "./pass.ts";
import type { PassStats } from "./pass-options.ts";
import {
  checkState,
  isIndexedState,
  PIPELINE_STATE_VERSION,
  type PipelineConfig,
  type PipelineState,
  planHash,
} from "./state.ts";
import { validationBatches } from "./validation.ts";

const PASS_END = Symbol("pass end");
type Placed = BatchData & Pick<Batch, "step" | "pass" | "batchInPass">;

/**
 * The pipeline on the calling thread (loader `main`): resolves the shuffle, counts the data when
 * cheap, plans the run, and reads, shuffles and batches here. Throws `PlanError` (from core) for
 * bad plan arguments and `PipelineError` for the rest. `createPipeline` is the public entry.
 */
export async function createMainPipeline(
  options: PipelineOptions,
  /** `countFirst`: count a training stream of unknown length before planning (the worker loader needs N up front). */
  internal: { countFirst?: boolean } = {},
): Promise<Pipeline> {
  const { source } = options;
  const resolved = resolveOptions(options);
  const { shuffle, shuffleBuffer, seedGiven, countMode, notes } = resolved;
  let { seed } = resolved;
  const numShards = options.numShards ?? 1;
  const shouldCount = (s: SampleSource) =>
    s.numSamples === null && (s.count !== undefined || countMode === "always");
  const validation = options.validation;
  let validationSamples: number | null | undefined = validation ? validation.source.numSamples : undefined;
  const planFor = (n: number | null, shards = numShards): Plan =>
    makePlan({
      numSamples: n,
      batchSize: options.batchSize,
      epochs: options.epochs,
      initialEpoch: options.initialEpoch,
      stepsPerEpoch: options.stepsPerEpoch,
      dropRemainder: options.dropRemainder,
      onExhausted: options.onExhausted,
      numShards: shards,
      shardIndex: shards === 1 ? 0 : options.shardIndex,
      shardPolicy: options.shardPolicy,
      ...(validation
        ? {
            validationSamples,
            validationSteps: validation.steps,
            validationBatchSize: validation.batchSize,
            validationFreq: validation.freq,
          }
        : {}),
    });
  let numSamples = source.numSamples;
  if (
    numSamples === null &&
    (shouldCount(source) || internal.countFirst === true || (typeof numShards === "number" && numShards > 1))
  ) {
    planFor(null, 1); // bad arguments fail before a pass is spent counting
    numSamples = await countSamples(source);
  }
  if (validation && validationSamples === null && shouldCount(validation.source)) {
    validationSamples = await countSamples(validation.source);
  }
  let plan = planFor(numSamples);
  const { batchSize, dropRemainder, onExhausted } = plan;
  const requestedSteps = options.stepsPerEpoch ?? null;
  const config: PipelineConfig = {
    numFeatures: source.numFeatures,
    batchSize,
    dropRemainder,
    stepsPerEpoch: requestedSteps,
    onExhausted,
    shuffle,
    shuffleBuffer: shuffle === "buffer" ? shuffleBuffer : null,
    numShards: plan.shard?.numShards ?? 1,
    shardIndex: plan.shard?.shardIndex ?? 0,
    shardPolicy: options.shardPolicy ?? "pad",
  };
  const shardOf = (n: number | null): ShardLayout | null =>
    n !== null && config.numShards > 1
      ? shardLayout({
          numSamples: n,
          numShards: config.numShards,
          shardIndex: config.shardIndex,
          policy: config.shardPolicy,
        })
      : null;
  let shard = shardOf(numSamples);
  // Block sources resume from a position-only state (see IndexedPipelineState), valid across shard counts.
  const hash =
    isBlockSource(source) && shuffle !== "buffer"
      ? planHash({
          numSamples: source.numSamples,
          numFeatures: source.numFeatures,
          batchSize,
          dropRemainder,
          stepsPerEpoch: requestedSteps,
          onExhausted,
          shuffle,
          shardPolicy: config.shardPolicy,
        })
      : null;
  // Block sources only: set when a position-only state was saved at another shard count (the rest of its pass is re-dealt).
  let redeal: Redeal | null = null;
  const redealOf = (p: number): Redeal | null => (redeal !== null && p === redeal.pass ? redeal : null);
  const stepsInPass = (p: number): number | null => batchesInPass(plan, p, redeal);
  const stepLayout = (): StepLayout => ({
    numSamples: numSamples as number,
    batchSize,
    numShards: config.numShards,
    shardPolicy: config.shardPolicy,
    dropRemainder,
    fixedEpochs: requestedSteps !== null && onExhausted === "repeat",
  });

  const setNumSamples = (n: number): void => {
    plan = planFor(n);
    numSamples = n;
    shard = shardOf(n);
  };
  const discover = async (): Promise<void> => {
    if (numSamples === null) setNumSamples(await countSamples(source));
  };

  // The cursor: the open pass and the next global step it will produce.
  let step = 0;
  let pass = 0;
  let batchInPass = 0;
  let open: AsyncIterator<BatchData> | null = null;
  let stats: PassStats = { samplesRead: 0, complete: false };
  let pendingResume: number | null = null;
  let generation = 0;

  const closePass = async (): Promise<void> => {
    const it = open;
    open = null;
    await it?.return?.(undefined);
  };
  const pull = async (): Promise<Placed | typeof PASS_END> => {
    if (open === null) {
      stats = { samplesRead: 0, complete: false };
      const rebased = redealOf(pass);
      const samples = passSamples(source, {
        seed,
        pass,
        shuffle,
        shuffleBuffer,
        shard,
        start: (batchInPass - (rebased?.firstBatch ?? 0)) * batchSize,
        passOffset: rebased?.passOffset ?? 0,
        stats,
        numSamples,
      });
      open = batchSamples(samples, { batchSize, numFeatures: source.numFeatures, dropRemainder })[
        Symbol.asyncIterator
      ]();
    }
    let result: IteratorResult<BatchData>;
    try {
      result = await open.next();
    } catch (error) {
      open = null; // a failed pass is reopened from its position by the next pull
      throw error;
    }
    if (!result.done) {
      // Literals rather than spreads, here and in epochBatches: two object spreads per batch cost
      // about a fifth of the consumer's time when parsing runs in a worker (measured).
      const batch = result.value;
      const placed = {
        batchSize: batch.batchSize,
        numFeatures: batch.numFeatures,
        xs: batch.xs,
        ys: batch.ys,
        rows: batch.rows,
        step,
        pass,
        batchInPass,
      };
      const planned = stepsInPass(pass);
      if (planned !== null && batchInPass >= planned) {
        throw new PipelineError(`pass ${pass} produced more than the planned ${planned} batches`);
      }
      step++;
      batchInPass++;
      return placed;
    }
    open = null;
    if (numSamples === null) setNumSamples(stats.samplesRead); // rule 6: the first pass tells N
    if (batchInPass !== stepsInPass(pass)) {
      throw new PipelineError(
        `pass ${pass} produced ${batchInPass} batches, the plan has ${stepsInPass(pass)}`,
      );
    }
    pass++;
    batchInPass = 0;
    return PASS_END;
  };
  const seek = async (target: number): Promise<void> => {
    if (target === step) return;
    if (numSamples === null && target !== 0) await discover();
    await closePass();
    if (redeal !== null && target < redeal.step) {
      throw new PipelineError(
        `step ${target} comes before step ${redeal.step}, where this pipeline resumed with another shard count; earlier steps are not reproducible with ${config.numShards} shards`,
      );
    }
    const at = numSamples === null ? { pass: 0, batchInPass: 0 } : locateBatch(plan, target, redeal);
    [step, pass, batchInPass] = [target, at.pass, at.batchInPass];
  };
  const rangeOf = (epoch: number): { start: number; end: number } => {
    const schedule = {
      stepsPerPass: plan.stepsPerPass as number,
      stepsPerEpoch: plan.stepsPerEpoch as number,
      onExhausted,
    };
    const { startStep, endStep } = epochRange(schedule, epoch);
    return { start: startStep, end: endStep };
  };
  // Epoch bounds; `end` null = "at the end of the pass", only while numSamples is unknown.
  const bounds = async (epoch: number): Promise<{ start: number; end: number | null }> => {
    if (numSamples !== null) return rangeOf(epoch);
    if (requestedSteps !== null && onExhausted === "repeat") {
      return { start: epoch * requestedSteps, end: (epoch + 1) * requestedSteps };
    }
    // Epochs follow pass ends: before N is known only the first, or the next one in order, is placed.
    const start = requestedSteps === null ? 0 : epoch * requestedSteps;
    if (epoch === 0 || (requestedSteps !== null && step === start)) {
      return { start, end: requestedSteps === null ? null : start + requestedSteps };
    }
    await discover();
    return rangeOf(epoch);
  };
  const positionOf = (at: number): PipelinePosition => {
    if (numSamples !== null) {
      const { epoch, stepInEpoch } = locateStep(plan, at);
      return { step: at, epoch, stepInEpoch };
    }
    if (requestedSteps !== null && onExhausted === "repeat") {
      return { step: at, epoch: Math.floor(at / requestedSteps), stepInEpoch: at % requestedSteps };
    }
    return at === 0 ? { step: 0, epoch: 0, stepInEpoch: 0 } : { step: at, epoch: null, stepInEpoch: null };
  };
  const stateAt = (at: number): PipelineState =>
    hash !== null
      ? indexedStateAt(plan, stepLayout(), redeal, at, { seed, planHash: hash })
      : {
          format: "stepwise.pipeline",
          version: PIPELINE_STATE_VERSION,
          seed,
          ...positionOf(at),
          numSamples,
          config: { ...config },
        };
  // Block sources: a position-only state, resumed as is or, at another shard count, with a redeal.
  const setIndexedState = async (state: PipelineState): Promise<void> => {
    const resumed = resumeIndexed(state, hash as string, plan, stepLayout());
    adoptSeed(resumed.state.seed);
    generation++;
    await closePass();
    redeal = resumed.redeal;
    // After a redeal the cursor must not rest on a step before it, which no longer has data.
    [step, pass, batchInPass] = redeal === null ? [0, 0, 0] : [redeal.step, redeal.pass, redeal.firstBatch];
    pendingResume = resumed.state.step;
  };
  const adoptSeed = (saved: number): void => {
    if (saved === seed) return;
    if (seedGiven) {
      throw new PipelineError(`pipeline state was saved with seed ${saved}, this pipeline has seed ${seed}`);
    }
    seed = saved;
    notes.length = 0;
  };

  async function* epochBatches(epoch: number): AsyncGenerator<Batch> {
    integerAtLeast("epoch", epoch, 0);
    const me = ++generation;
    if (pendingResume !== null && pendingResume !== 0) await discover();
    let { start, end } = await bounds(epoch);
    const resumesHere =
      pendingResume !== null && pendingResume >= start && (end === null || pendingResume < end);
    const from = resumesHere ? (pendingResume as number) : start;
    await seek(from);
    pendingResume = null;
    for (;;) {
      if (me !== generation) {
        throw new PipelineError(
          `epoch ${epoch} was left unfinished and a later epoch() call took over the data`,
        );
      }
      if (numSamples !== null) ({ start, end } = rangeOf(epoch));
      if (end !== null && step >= end) return;
      const placed = await pull();
      if (placed === PASS_END) continue;
      yield {
        batchSize: placed.batchSize,
        numFeatures: placed.numFeatures,
        xs: placed.xs,
        ys: placed.ys,
        rows: placed.rows,
        step: placed.step,
        pass: placed.pass,
        batchInPass: placed.batchInPass,
        epoch,
        stepInEpoch: placed.step - start,
      };
    }
  }

  const pipeline: Pipeline = {
    loader: "main",
    get plan() {
      return plan;
    },
    get seed() {
      return seed;
    },
    get numSamples() {
      return numSamples;
    },
    get warnings() {
      return [...plan.warnings, ...notes];
    },
    get position() {
      return positionOf(pendingResume ?? step);
    },
    epoch: (epoch) => ({ [Symbol.asyncIterator]: () => epochBatches(epoch) }),
    batches: () => ({
      async *[Symbol.asyncIterator]() {
        if (pendingResume !== null && pendingResume !== 0) await discover();
        const first = pendingResume === null ? plan.initialEpoch : (positionOf(pendingResume).epoch ?? 0);
        for (let epoch = first; epoch < plan.endEpoch; epoch++) yield* epochBatches(epoch);
      },
    }),
    validation(epoch = 0) {
      if (!validation) throw new PipelineError("no validation data was given to this pipeline");
      return validationBatches(validation.source, {
        batchSize: plan.validationBatchSize ?? batchSize,
        validationSteps: validation.steps ?? null,
        epoch,
      });
    },
    getState: () => stateAt(pendingResume ?? step),
    stateAfter: (batch) => stateAt(integerAtLeast("batch.step", batch.step, 0) + 1),
    async setState(state) {
      if (hash !== null) return setIndexedState(state);
      if (isIndexedState(state)) {
        throw new PipelineError(
          "pipeline state was saved by a pipeline over an indexed source (full shuffle); resume it with the same source and shuffle",
        );
      }
      const checked = checkState(state, config);
      adoptSeed(checked.seed);
      if (checked.numSamples !== null && numSamples !== null && checked.numSamples !== numSamples) {
        throw new PipelineError(
          `pipeline state was saved with numSamples ${checked.numSamples}, the data now has ${numSamples}: the data changed`,
        );
      }
      generation++;
      await closePass();
      [step, pass, batchInPass] = [0, 0, 0];
      if (numSamples === null && checked.numSamples !== null) setNumSamples(checked.numSamples);
      if (numSamples === null && checked.step !== 0) await discover();
      pendingResume = checked.step;
    },
    close: closePass,
  };
  if (options.state !== undefined) {
    await pipeline.setState(options.state);
  } else if (plan.initialEpoch > 0) {
    // Rule 5: the run starts at the first step of initialEpoch, which needs N unless epochs are S steps.
    if (plan.stepsPerEpoch === null || onExhausted !== "repeat") await discover();
    pendingResume = epochStartStep(plan, plan.initialEpoch);
  }
  return pipeline;
}
