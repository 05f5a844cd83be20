import { DEFAULT_SHUFFLE_BUFFER, type PipelineOptions } from "./api.ts";
import { integerAtLeast, PipelineError } from "./errors.ts";
import { defaultShuffle } from "./pass.ts";
import type { ShuffleMode } from "./pass-options.ts";

/** The pipeline options that need checking or defaulting before the plan. */
export interface ResolvedOptions {
  shuffle: ShuffleMode;
  shuffleBuffer: number;
  seed: number;
  seedGiven: boolean;
  countMode: "cheap" | "always" | "never";
  /** Notes for `Pipeline.warnings` (e.g. a chosen seed). */
  notes: string[];
}

function oneOf<T extends string>(name: string, value: unknown, choices: readonly T[]): T {
  if (typeof value !== "string" || !(choices as readonly string[]).includes(value)) {
    throw new PipelineError(`${name} must be one of ${choices.join(", ")}; got ${JSON.stringify(value)}`);
  }
  return value as T;
}

// Rule 8: a missing seed is chosen once, reported and recorded in every state, never time-based.
function randomSeed(): number {
  return (globalThis.crypto.getRandomValues(new Uint32Array(1))[0] as number) >>> 0;
}

/** Checks shuffle, seed and count options; throws `PipelineError` naming a bad one. */
export function resolveOptions(options: PipelineOptions): ResolvedOptions {
  const { source } = options;
  const requested = oneOf("shuffle", options.shuffle ?? "auto", [
    "auto",
    "permutation",
    "buffer",
    "none",
    "full",
  ] as const);
  const shuffle: ShuffleMode = requested === "auto" ? defaultShuffle(source) : requested;
  if ((shuffle === "permutation" || shuffle === "full") && defaultShuffle(source) === "buffer") {
    throw new PipelineError(
      `shuffle "${shuffle}" needs a random-access source with a known numSamples; use "buffer"`,
    );
  }
  const shuffleBuffer = integerAtLeast("shuffleBuffer", options.shuffleBuffer ?? DEFAULT_SHUFFLE_BUFFER, 1);
  const countMode = oneOf("count", options.count ?? "cheap", ["cheap", "always", "never"] as const);
  const notes: string[] = [];
  const seedGiven = options.seed !== undefined;
  let seed: number;
  if (options.seed !== undefined) seed = integerAtLeast("seed", options.seed, 0);
  else if (typeof options.state?.seed === "number") seed = options.state.seed;
  else {
    seed = randomSeed();
    if (shuffle !== "none") notes.push(`no seed given: chose seed ${seed}; pass it to reproduce this run`);
  }
  return { shuffle, shuffleBuffer, seed, seedGiven, countMode, notes };
}
