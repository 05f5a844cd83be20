import { mkdir, rename, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { RunError } from "../errors.ts";
import { fileError, parseJson, writeFileAtomic } from "../files.ts";
import type { MetricsReport } from "../metrics/metrics.ts";
import type { EncodedWeights } from "../model/state.ts";
import { CHECKSUMS_FILE, verifyFiles, writeChecksums } from "./checksums.ts";
import type { EarlyStoppingState, EpochRecord } from "./history.ts";

/**
 * What a checkpoint records besides tensors: where training stands and what it was trained on.
 * Version 2 adds the early-stopping counter, the kept (best) epoch and its weights (`best.bin`)
 * and the last validation report; version 1 checkpoints (without them) still resume.
 */
export interface CheckpointState {
  version: 1 | 2;
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
  /** Early stopping after `history`: best monitored value, its epoch, epochs without improvement. */
  earlyStopping?: EarlyStoppingState;
  /** The epoch whose weights are kept (restore-best) and its validation report; weights in best.bin. */
  best?: { epoch: number; report: MetricsReport | null; specs: EncodedWeights["specs"] } | null;
  /** The full report (confusion matrix included) of the last validation, null before one ran. */
  validation?: MetricsReport | null;
}

export interface Checkpoint {
  state: CheckpointState;
  model: EncodedWeights;
  optimizer: EncodedWeights;
  /** Weights of the kept epoch (state.best), when restore-best keeps one. */
  best?: EncodedWeights | null;
}

const DIR = "checkpoint";
const STAGING = "checkpoint.tmp";
const PREVIOUS = "checkpoint.prev";
const DAMAGED = "checkpoint.damaged";
const STATE = "state.json";
const FILES = ["model.bin", "optimizer.bin", STATE] as const;
const BEST = "best.bin";

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

async function inFolder<T>(path: string, work: () => Promise<T>): Promise<T> {
  return work().catch((error: unknown) => {
    throw fileError(path, "write", error);
  });
}

/**
 * Writes `runDir/checkpoint/` so that a crash at any moment leaves a complete checkpoint:
 * everything goes to a staging folder, each file flushed to disk, with `checksums.json` (sizes
 * and sha256 of the others) last, so a staging folder is never mistaken for a checkpoint. Then
 * the checkpoint before is moved to `checkpoint.prev` (kept: `readCheckpoint` falls back to it
 * when the newer one is damaged) and the new one renamed into place.
 */
export async function writeCheckpoint(runDir: string, checkpoint: Checkpoint): Promise<void> {
  const staging = join(runDir, STAGING);
  const target = join(runDir, DIR);
  const previous = join(runDir, PREVIOUS);
  await inFolder(staging, async () => {
    await rm(staging, { recursive: true, force: true });
    await mkdir(staging, { recursive: true });
  });
  const state: CheckpointState = {
    ...checkpoint.state,
    model: { specs: checkpoint.model.specs },
    optimizer: { ...checkpoint.state.optimizer, specs: checkpoint.optimizer.specs },
  };
  if (state.best && checkpoint.best) state.best = { ...state.best, specs: checkpoint.best.specs };
  const files: Record<string, string | Uint8Array> = {
    "model.bin": checkpoint.model.data,
    "optimizer.bin": checkpoint.optimizer.data,
    ...(state.best && checkpoint.best ? { [BEST]: checkpoint.best.data } : {}),
    [STATE]: `${JSON.stringify(state, null, 1)}\n`,
  };
  for (const [name, data] of Object.entries(files))
    await writeFileAtomic(join(staging, name), data, { sync: true });
  await writeChecksums(staging, files);
  await inFolder(target, async () => {
    if (await exists(join(target, CHECKSUMS_FILE))) {
      await rm(previous, { recursive: true, force: true });
      await rename(target, previous);
    } else {
      // An incomplete folder (never a checkpoint): `checkpoint.prev`, if any, stays the one before.
      await rm(target, { recursive: true, force: true });
    }
    await rename(staging, target);
  });
}

type Read = { kind: "none" } | { kind: "ok"; checkpoint: Checkpoint } | { kind: "bad"; problem: string };

async function readFrom(dir: string): Promise<Read> {
  if (!(await exists(dir))) return { kind: "none" };
  const verified = await verifyFiles(dir, FILES);
  if (!verified.ok) {
    // No checksums.json and no state.json: a folder that never held a checkpoint.
    if (verified.missing && !(await exists(join(dir, STATE)))) return { kind: "none" };
    return { kind: "bad", problem: verified.problem };
  }
  const bytes = (name: string) => verified.contents.get(name) as Uint8Array;
  let state: CheckpointState;
  try {
    state = parseJson<CheckpointState>(join(dir, STATE), bytes(STATE));
  } catch (error) {
    return { kind: "bad", problem: (error as Error).message };
  }
  if (
    (state?.version !== 1 && state?.version !== 2) ||
    !Array.isArray(state.model?.specs) ||
    !Array.isArray(state.optimizer?.specs) ||
    (state.best != null && !Array.isArray(state.best.specs))
  )
    return { kind: "bad", problem: `${join(dir, STATE)}: not a version 1 or 2 checkpoint state` };
  let best: EncodedWeights | null = null;
  if (state.best) {
    const verifiedBest = await verifyFiles(dir, [BEST]);
    if (!verifiedBest.ok) return { kind: "bad", problem: verifiedBest.problem };
    best = { specs: state.best.specs, data: verifiedBest.contents.get(BEST) as Uint8Array };
  }
  return {
    kind: "ok",
    checkpoint: {
      state,
      model: { specs: state.model.specs, data: bytes("model.bin") },
      optimizer: { specs: state.optimizer.specs, data: bytes("optimizer.bin") },
      best,
    },
  };
}

/**
 * The latest checkpoint of a run whose files match their recorded checksums, or `null` when
 * none was written yet. When `checkpoint/` is damaged (flipped bits, truncated, edited, missing
 * files) and `checkpoint.prev/` verifies, the damaged folder is set aside as
 * `checkpoint.damaged`, `onFallback` is told why (one line) and the previous checkpoint is
 * returned. Throws `RunError` naming the damaged file when no checkpoint verifies.
 */
export async function readCheckpoint(
  runDir: string,
  onFallback: (message: string) => void = () => {},
): Promise<Checkpoint | null> {
  const current = await readFrom(join(runDir, DIR));
  if (current.kind === "ok") return current.checkpoint;
  const previous = await readFrom(join(runDir, PREVIOUS));
  if (current.kind === "none") {
    // A crash between moving the old folder aside and renaming the new one into place.
    if (previous.kind === "ok") return previous.checkpoint;
    if (previous.kind === "none") return null;
    throw new RunError(`cannot resume ${runDir}: ${previous.problem}; start a new run with --out`);
  }
  if (previous.kind === "ok") {
    const damaged = join(runDir, DAMAGED);
    await inFolder(damaged, async () => {
      await rm(damaged, { recursive: true, force: true });
      await rename(join(runDir, DIR), damaged);
    });
    onFallback(
      `${current.problem}: resuming from the checkpoint before it (${PREVIOUS}, after epoch ${previous.checkpoint.state.nextEpoch}); the damaged one is kept as ${DAMAGED}`,
    );
    return previous.checkpoint;
  }
  const before =
    previous.kind === "bad"
      ? `, and so is the one before (${previous.problem})`
      : ", and there is none before it";
  throw new RunError(
    `cannot resume ${runDir}: ${current.problem}${before}; restore the file, or start a new run with --out`,
  );
}
