import type { Plan } from "@stepwise/core";
import type { Batch } from "../types.ts";
import type { PipelineOptions, PipelinePosition } from "./api.ts";
import type { PipelineState } from "./state.ts";

/** How a worker makes its source: `import(module)[export](...args)`, all structured-clonable. */
export interface WorkerSourceSpec {
  /** Absolute file path, `file://` URL or package specifier of a module the worker can import. */
  module: string;
  /** Export name of a function returning a `SampleSource` (or a promise of one). Default `default`. */
  export?: string;
  /** Arguments for that function (copied to the worker by structured clone). */
  args?: unknown[];
}

/** Everything a worker needs to build the pipeline; no functions, so it crosses the thread boundary. */
export interface WorkerPipelineSpec {
  source: WorkerSourceSpec;
  options: Omit<PipelineOptions, "source" | "validation" | "state">;
  state?: PipelineState;
}

/** The worker pipeline's public fields, refreshed after every request and epoch. */
export interface PipelineInfo {
  plan: Plan;
  seed: number;
  numSamples: number | null;
  warnings: string[];
  position: PipelinePosition;
}

export type ToWorker =
  | { type: "epoch"; id: number; epoch: number; credits: number }
  | { type: "batches"; id: number; credits: number }
  | { type: "credit"; id: number; count: number }
  | { type: "cancel"; id: number }
  | { type: "state"; id: number; afterStep: number | null }
  | { type: "setState"; id: number; state: PipelineState };

export type FromWorker =
  | { type: "ready"; id: 0; info: PipelineInfo }
  | { type: "batch"; id: number; batch: Batch }
  | { type: "end"; id: number; info: PipelineInfo }
  | { type: "result"; id: number; value: PipelineState | null; info: PipelineInfo }
  | { type: "error"; id: number; error: { name: string; message: string } };
