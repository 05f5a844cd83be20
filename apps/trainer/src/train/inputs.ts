import { RunError } from "../errors.ts";
import { type FileFingerprint, fingerprintChange, fingerprintData, hashJson } from "../run/fingerprint.ts";
import type { TrainConfig } from "./config.ts";

/** What a run was made from, recorded at its start so that a resume can prove nothing changed. */
export interface Inputs {
  version: 1;
  /** Hash of config.json as written. */
  configHash: string;
  data: FileFingerprint[];
  validationData: FileFingerprint[] | null;
  modelJson: FileFingerprint[] | null;
}

/**
 * Fingerprints the config as saved and every input file of `config` (absolute paths). `data`: the
 * training data's fingerprints when they were started earlier (they take a read of every byte).
 */
export async function collectInputs(
  config: TrainConfig,
  savedConfig: unknown,
  data: Promise<FileFingerprint[]> = fingerprintData(config.data),
): Promise<Inputs> {
  return {
    version: 1,
    configHash: hashJson(savedConfig),
    data: await data,
    validationData: config.validationData ? await fingerprintData(config.validationData) : null,
    modelJson: config.modelJson ? await fingerprintData(config.modelJson) : null,
  };
}

/**
 * Refuses to resume when the config or any input file differs from the run's start, since the
 * continued run would no longer equal an uninterrupted one. Throws `RunError` (one line, with the fix).
 */
export function verifyInputs(dir: string, saved: Inputs, now: Inputs): void {
  const fix = `restore it, or start a new run with --out`;
  if (saved.configHash !== now.configHash) {
    throw new RunError(`cannot resume ${dir}: its config.json changed since the run started; ${fix}`);
  }
  const pairs: [string, FileFingerprint[] | null, FileFingerprint[] | null][] = [
    ["training data", saved.data, now.data],
    ["validation data", saved.validationData, now.validationData],
    ["model architecture", saved.modelJson, now.modelJson],
  ];
  for (const [what, before, after] of pairs) {
    const change = fingerprintChange(before ?? [], after ?? []);
    if (change)
      throw new RunError(
        `cannot resume ${dir}: the ${what} changed since the run started (${change}); ${fix}`,
      );
  }
}
