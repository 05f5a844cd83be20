import type { Plan } from "@stepwise/core";
import type { PipelineState } from "@stepwise/data";

/**
 * A checkpoint's pipeline state, renumbered for a plan with another rank count when it sits at
 * the start of a pass that also starts epoch `nextEpoch` of `plan`: with one pass per epoch the
 * steps of a pass depend on the number of ranks, but a pass boundary is one in every deal, so
 * the position is the same. Any other state is returned as it is (the pipeline re-deals the
 * rest of a pass itself when epochs have a fixed number of steps).
 */
export function atEpochStart(state: PipelineState, plan: Plan, nextEpoch: number): PipelineState {
  if (!("planHash" in state) || state.passOffset !== 0) return state;
  const epoch = plan.epochs.find((e) => e.epoch === nextEpoch);
  const first = epoch?.passes?.[0];
  if (!epoch || epoch.startStep === null || !first || first.pass !== state.pass || first.firstBatch !== 0)
    return state;
  return { ...state, step: epoch.startStep };
}
