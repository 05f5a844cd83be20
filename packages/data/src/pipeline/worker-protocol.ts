import type { Plan } from "@stepwise/core";
import type { Batch, WorkerSourceSpec } from "../types.ts";
import type { PipelineOptions, PipelinePosition } from "./api.ts";
import type { PackedRows } from "./rows-pack.ts";
import type { PipelineState } from "./state.ts";

/** Everything a worker needs to build the pipeline; no functions, so it crosses the thread boundary. */
export interface WorkerPipelineSpec {
  source: WorkerSourceSpec;
  options: Omit<PipelineOptions, "source" | "validation" | "state">;
  state?: PipelineState;
}

/** The worker pipeline's public fields, refreshed after every request and epoch. */
export interface PipelineInfo {
  plan: Plan;
  numFeatures: number;
  seed: number;
  numSamples: number | null;
  warnings: string[];
  position: PipelinePosition;
}

/** A batch on its way from the worker: arrays transferred, provenance packed. */
export type PackedBatch = Omit<Batch, "rows"> & { rows: PackedRows };

/** `credits`: batches the worker may send before more are granted; `groupSize`: most batches per message. */
export type ToWorker =
  | { type: "epoch"; id: number; epoch: number; credits: number; groupSize: number }
  | { type: "batches"; id: number; credits: number; groupSize: number }
  | { type: "credit"; id: number; count: number }
  | { type: "cancel"; id: number }
  | { type: "state"; id: number; afterStep: number | null }
  | { type: "setState"; id: number; state: PipelineState }
  /** The parent is done: the worker closes its port and its thread ends once idle. */
  | { type: "close"; id: number };

export type FromWorker =
  | { type: "ready"; id: 0; info: PipelineInfo }
  | { type: "batches"; id: number; batches: PackedBatch[] }
  | { type: "end"; id: number; info: PipelineInfo }
  | { type: "result"; id: number; value: PipelineState | null; info: PipelineInfo }
  | { type: "error"; id: number; error: SerializedError };

/**
 * A chunk of samples from a source worker: arrays in the worker's shared memory (slot `slot`,
 * written again only after the consumer releases it), provenance packed.
 */
export type PackedChunk = {
  numSamples: number;
  numFeatures: number;
  features: Float32Array;
  labels: Float64Array;
  rows: PackedRows;
  /** Whether the rows are one file's, packed from a `ChunkProvenance` (kept as numbers on arrival). */
  oneFile: boolean;
  slot: number;
};

/** An error as it crosses threads: its class name, message, and a DataError's fields. */
export interface SerializedError {
  name: string;
  message: string;
  data?: {
    code: string;
    reason: string;
    file: string | null;
    line: number | null;
    column: string | null;
    columnNumber: number | null;
  };
}

export type ToSourceWorker =
  | { type: "pass"; id: number; credits: number }
  /** `slots`: the memory of chunks the consumer is done with, for the worker to fill again. */
  | { type: "credit"; id: number; count: number; slots: number[] }
  | { type: "release"; id: number; slots: number[] }
  | { type: "cancel"; id: number }
  | { type: "count"; id: number }
  /** The parent is done: the worker closes its port and its thread ends once idle. */
  | { type: "close"; id: number };

export type FromSourceWorker =
  | { type: "ready"; id: 0; numFeatures: number; numSamples: number | null; counts: boolean }
  | { type: "chunk"; id: number; chunk: PackedChunk }
  | { type: "end"; id: number }
  | { type: "count"; id: number; value: number }
  | { type: "error"; id: number; error: SerializedError };
