import {
  locateBatch,
  type Plan,
  passOffsetAt,
  type Redeal,
  redealAt,
  type ShardPolicy,
} from "@stepwise/core";
import { PipelineError } from "./errors.ts";
import { checkIndexedState, INDEXED_STATE_VERSION, type IndexedPipelineState } from "./state.ts";

/** What the position-only state of a block source needs beyond its plan. */
export interface StepLayout {
  numSamples: number;
  batchSize: number;
  numShards: number;
  shardPolicy: ShardPolicy;
  dropRemainder: boolean;
  /** stepsPerEpoch with onExhausted "repeat": epochs do not depend on pass lengths. */
  fixedEpochs: boolean;
}

/** The position-only state at global step `at` (core's step mapping, after `redeal` if any). */
export function indexedStateAt(
  plan: Plan,
  layout: Pick<StepLayout, "batchSize" | "numShards">,
  redeal: Redeal | null,
  at: number,
  identity: { seed: number; planHash: string },
): IndexedPipelineState {
  const where = locateBatch(plan, at, redeal);
  return {
    format: "stepwise.pipeline",
    version: INDEXED_STATE_VERSION,
    seed: identity.seed,
    pass: where.pass,
    step: at,
    passOffset: passOffsetAt(where, layout, redeal),
    planHash: identity.planHash,
  };
}

/**
 * Checks a position-only state and works out how to resume it: as is when this plan puts its
 * step at its position, else with a redeal of the rest of its pass (which needs fixed-length
 * epochs, since the steps of the re-dealt pass differ from the plan's). Throws `PipelineError`
 * naming the problem.
 */
export function resumeIndexed(
  state: unknown,
  planHash: string,
  plan: Plan,
  layout: StepLayout,
): { state: IndexedPipelineState; redeal: Redeal | null } {
  const { numSamples, batchSize, numShards } = layout;
  const checked = checkIndexedState(state, planHash, numSamples);
  const regular = locateBatch(plan, checked.step, null);
  if (regular.pass === checked.pass && passOffsetAt(regular, layout, null) === checked.passOffset)
    return { state: checked, redeal: null };
  if (!layout.fixedEpochs) {
    throw new PipelineError(
      `pipeline state is at pass ${checked.pass}, position ${checked.passOffset}, which step ${checked.step} ` +
        `does not reach with ${numShards} shards: resuming at another shard count needs fixed-length epochs (stepsPerEpoch with onExhausted "repeat")`,
    );
  }
  const redeal = redealAt(checked, {
    numSamples,
    numShards,
    policy: layout.shardPolicy,
    batchSize,
    dropRemainder: layout.dropRemainder,
  });
  return { state: checked, redeal };
}
