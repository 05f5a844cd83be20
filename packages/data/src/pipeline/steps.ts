import { locateStep, type Plan, type ShardPolicy } from "@stepwise/core";
import { type Rebase, rebaseAt } from "./deal.ts";
import { PipelineError } from "./errors.ts";
import { checkIndexedState, INDEXED_STATE_VERSION, type IndexedPipelineState } from "./state.ts";

/** What the step arithmetic of a pipeline needs beyond its plan. */
export interface StepLayout {
  numSamples: number | null;
  batchSize: number;
  numShards: number;
  shardPolicy: ShardPolicy;
  dropRemainder: boolean;
  /** stepsPerEpoch with onExhausted "repeat": epochs do not depend on pass lengths. */
  fixedEpochs: boolean;
}

/**
 * Global step ↔ (pass, batch in pass): the plan's arithmetic, shifted after a resume at another
 * shard count (a rebase), and the position-only state of block sources.
 */
export class StepMap {
  /** Set when a position-only state was saved at another shard count: the rest of its pass is re-dealt. */
  rebase: Rebase | null = null;

  constructor(
    private readonly plan: () => Plan,
    private readonly layout: StepLayout,
  ) {}

  /** Pass and batch of global step `target`. Throws `PipelineError` for a step before a rebase. */
  locate(target: number): { pass: number; batchInPass: number } {
    const { rebase } = this;
    if (rebase === null) {
      const at = locateStep(this.plan(), target);
      return { pass: at.pass ?? 0, batchInPass: at.batchInPass ?? 0 };
    }
    if (target < rebase.step) {
      throw new PipelineError(
        `step ${target} comes before step ${rebase.step}, where this pipeline resumed with another shard count; earlier steps are not reproducible with ${this.layout.numShards} shards`,
      );
    }
    const after = target - rebase.step - rebase.steps;
    if (after < 0) return { pass: rebase.pass, batchInPass: rebase.firstBatch + target - rebase.step };
    const perPass = this.plan().stepsPerPass as number;
    return { pass: rebase.pass + 1 + Math.floor(after / perPass), batchInPass: after % perPass };
  }

  /** Batches of pass `pass` (its last batch index + 1), or null while numSamples is unknown. */
  stepsInPass(pass: number): number | null {
    const { rebase } = this;
    return rebase !== null && pass === rebase.pass
      ? rebase.firstBatch + rebase.steps
      : this.plan().stepsPerPass;
  }

  /** The rebase when `pass` is the re-dealt pass, else null. */
  rebaseOf(pass: number): Rebase | null {
    return this.rebase !== null && pass === this.rebase.pass ? this.rebase : null;
  }

  /** The position-only state at global step `at`. */
  stateAt(at: number, seed: number, planHash: string): IndexedPipelineState {
    const where = this.locate(at);
    const from = this.rebaseOf(where.pass) ?? { passOffset: 0, firstBatch: 0 };
    const { batchSize, numShards } = this.layout;
    return {
      format: "stepwise.pipeline",
      version: INDEXED_STATE_VERSION,
      seed,
      pass: where.pass,
      step: at,
      passOffset: from.passOffset + (where.batchInPass - from.firstBatch) * batchSize * numShards,
      planHash,
    };
  }

  /**
   * Checks a position-only state and works out how to resume it: as is when this plan puts its
   * step at its position, else with a rebase (which needs fixed-length epochs, since the steps of
   * the re-dealt pass differ from the plan's). Throws `PipelineError` naming the problem.
   */
  resume(state: unknown, planHash: string): { state: IndexedPipelineState; rebase: Rebase | null } {
    const { numSamples, batchSize, numShards } = this.layout;
    const checked = checkIndexedState(state, planHash, numSamples as number);
    const regular = locateStep(this.plan(), checked.step);
    const offset = (regular.batchInPass ?? 0) * batchSize * numShards;
    if (regular.pass === checked.pass && offset === checked.passOffset)
      return { state: checked, rebase: null };
    if (!this.layout.fixedEpochs) {
      throw new PipelineError(
        `pipeline state is at pass ${checked.pass}, position ${checked.passOffset}, which step ${checked.step} ` +
          `does not reach with ${numShards} shards: resuming at another shard count needs fixed-length epochs (stepsPerEpoch with onExhausted "repeat")`,
      );
    }
    const rebase = rebaseAt(checked, {
      numSamples: numSamples as number,
      numShards,
      policy: this.layout.shardPolicy,
      batchSize,
      dropRemainder: this.layout.dropRemainder,
    });
    return { state: checked, rebase };
  }
}
