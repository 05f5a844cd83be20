import { mkdir, open, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { EncodedWeights } from "../model/state.ts";
import type { EpochRecord } from "./history.ts";

/** What a checkpoint records besides tensors: where training stands and what it was trained on. */
export interface CheckpointState {
  version: 1;
  /** Epochs finished; training resumes at this epoch. */
  nextEpoch: number;
  /** Global steps done. */
  step: number;
  /** Pipeline resume state (the data position), as the pipeline's getState returned it. */
  pipeline: unknown;
  /** History up to and including the last finished epoch. */
  history: EpochRecord[];
  /** Hash of config.json and fingerprints of the data files, checked before resuming. */
  configHash: string;
  dataFingerprint: unknown;
  backend: string;
  model: { specs: EncodedWeights["specs"] };
  optimizer: { className: string; specs: EncodedWeights["specs"] };
}

export interface Checkpoint {
  state: CheckpointState;
  model: EncodedWeights;
  optimizer: EncodedWeights;
}

const DIR = "checkpoint";
const STAGING = "checkpoint.tmp";
const PREVIOUS = "checkpoint.prev";
const STATE = "state.json";

async function writeSynced(path: string, data: string | Uint8Array): Promise<void> {
  await writeFile(path, data);
  const handle = await open(path, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/**
 * Writes `runDir/checkpoint/` so that a crash at any moment leaves a complete checkpoint:
 * everything goes to a staging folder (state.json last, so a staging folder is never mistaken
 * for a checkpoint), then the old folder is moved aside and the new one renamed into place.
 * A crash between the two renames leaves `checkpoint.prev`, which `readCheckpoint` falls back to.
 */
export async function writeCheckpoint(runDir: string, checkpoint: Checkpoint): Promise<void> {
  const staging = join(runDir, STAGING);
  const target = join(runDir, DIR);
  const previous = join(runDir, PREVIOUS);
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { recursive: true });
  await writeSynced(join(staging, "model.bin"), checkpoint.model.data);
  await writeSynced(join(staging, "optimizer.bin"), checkpoint.optimizer.data);
  const state: CheckpointState = {
    ...checkpoint.state,
    model: { specs: checkpoint.model.specs },
    optimizer: { ...checkpoint.state.optimizer, specs: checkpoint.optimizer.specs },
  };
  await writeSynced(join(staging, STATE), `${JSON.stringify(state, null, 1)}\n`);
  if (await exists(join(target, STATE))) {
    await rm(previous, { recursive: true, force: true });
    await rename(target, previous);
  } else {
    await rm(target, { recursive: true, force: true });
  }
  await rename(staging, target);
  await rm(previous, { recursive: true, force: true });
}

async function readFrom(dir: string): Promise<Checkpoint | null> {
  let text: string;
  try {
    text = await readFile(join(dir, STATE), "utf8");
  } catch {
    return null;
  }
  const state = JSON.parse(text) as CheckpointState;
  const bytes = async (name: string) => new Uint8Array(await readFile(join(dir, name)));
  return {
    state,
    model: { specs: state.model.specs, data: await bytes("model.bin") },
    optimizer: { specs: state.optimizer.specs, data: await bytes("optimizer.bin") },
  };
}

/** The latest complete checkpoint of a run, or `null` when none was written yet. */
export async function readCheckpoint(runDir: string): Promise<Checkpoint | null> {
  return (await readFrom(join(runDir, DIR))) ?? (await readFrom(join(runDir, PREVIOUS)));
}
