// One pipeline run reduced to plain JSON (row ids, features and labels as the hex of their
// Float32 bytes), so runs on different platforms (Node, a browser) can be compared bit for bit.
import type { PipelineOptions } from "../pipeline/api.ts";
import { createPipeline } from "../pipeline/browser-pipeline.ts";
import type { PipelineState } from "../pipeline/state.ts";
import type { SampleSource } from "../types.ts";

export type RunSpec = Omit<PipelineOptions, "source" | "validation" | "state">;

export interface BatchDigest {
  step: number;
  epoch: number;
  pass: number;
  rows: number[];
  /** Hex of the batch's Float32 features and labels. */
  xs: string;
  ys: string;
}

export interface RunDigest {
  numSamples: number | null;
  stepsPerEpoch: number | null;
  batches: BatchDigest[];
}

function hex(values: Float32Array): string {
  const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  let text = "";
  for (const byte of bytes) text += byte.toString(16).padStart(2, "0");
  return text;
}

/**
 * Every batch of the run `spec` over `source`; with `stopAfter`, the run stops after that many
 * batches and a second pipeline resumes from the first one's state (as JSON) for the rest.
 */
export async function runDigest(
  source: () => SampleSource | Promise<SampleSource>,
  spec: RunSpec,
  stopAfter: number | null = null,
): Promise<RunDigest> {
  const batches: BatchDigest[] = [];
  let pipeline = await createPipeline({ ...spec, source: await source() });
  const digest: RunDigest = {
    numSamples: pipeline.numSamples,
    stepsPerEpoch: pipeline.plan.stepsPerEpoch,
    batches,
  };
  let state: PipelineState | null = null;
  for await (const batch of pipeline.batches()) {
    batches.push({
      step: batch.step,
      epoch: batch.epoch,
      pass: batch.pass,
      rows: batch.rows.map((row) => row.index),
      xs: hex(batch.xs),
      ys: hex(batch.ys),
    });
    if (stopAfter !== null && batches.length === stopAfter) {
      state = JSON.parse(JSON.stringify(pipeline.stateAfter(batch))) as PipelineState;
      break;
    }
  }
  await pipeline.close();
  if (state === null) return digest;
  pipeline = await createPipeline({ ...spec, source: await source(), state });
  for await (const batch of pipeline.batches()) {
    batches.push({
      step: batch.step,
      epoch: batch.epoch,
      pass: batch.pass,
      rows: batch.rows.map((row) => row.index),
      xs: hex(batch.xs),
      ys: hex(batch.ys),
    });
  }
  await pipeline.close();
  return digest;
}
