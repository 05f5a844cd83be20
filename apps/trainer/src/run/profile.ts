import { join } from "node:path";
import { writeFileAtomic } from "../files.ts";
import { jsonText } from "./folder.ts";

/** The run folder's file with the last invocation's phase breakdown. */
export const PROFILE_FILE = "profile.json";

/**
 * The phases of a training command, in the order they happen, with what each covers. A phase a
 * run does not go through (no validation, a cached schema with nothing to refit) is left out.
 */
export const PHASES = {
  /** From the process start to the command's first line: Node, the CLI and tfjs loaded. */
  start: "process start + imports",
  /** Flags, the config file, output checks (and on --resume: the inputs checked). */
  config: "flags and checks",
  /** The schema pass: column kinds, the sample count and the statistics; or the cached fit. */
  schema: "schema + count + stats",
  /** --validation-split: the statistics refitted on the training side (a second pass, or cached). */
  refit: "stats refit (split)",
  /** The training sources: the row index built (one raw pass) or loaded from its sidecar. */
  rowIndex: "row index + sources",
  /** The pipeline and its worker thread started; --validation-data read once (counted, its rows checked). */
  workerStart: "worker start",
  backend: "tfjs backend",
  model: "model build",
  /** Run folder created, inputs hashed, config, schema and plan written. */
  runStart: "run folder start",
  firstBatch: "first batch",
  /** The first training step, with its warm-up. */
  firstStep: "first step",
  /** Every later step, and what the training loop does between them. */
  training: "training",
  validation: "validation",
  checkpoints: "checkpoints",
  /** Model, history and curves saved, status written. */
  save: "model save",
  other: "other",
} as const;

export type PhaseName = keyof typeof PHASES;

/** profile.json: plain versioned JSON. Seconds are wall-clock seconds from the process start. */
export interface Profile {
  version: 1;
  /** Seconds from the process start to the end of the profile. */
  wallSeconds: number;
  /** When the first training step ended, in seconds from the process start; null when none ran. */
  firstStepAtSeconds: number | null;
  /** Phases in order; `share` is seconds / wallSeconds. Their seconds sum to wallSeconds. */
  phases: { name: PhaseName; label: string; seconds: number; share: number }[];
}

/**
 * Records how long each phase of a command takes, on a clock of seconds since the process
 * started (`performance.now()`, whose origin is the process start). Passed down explicitly to
 * what it times; time spent in a phase more than once (validation, checkpoints) adds up.
 * @example const phases = new PhaseRecorder(); const schema = await phases.time("schema", () => fitSchema(config));
 */
export class PhaseRecorder {
  private readonly seconds = new Map<PhaseName, number>();
  private firstStepAt: number | null = null;

  /** `now`: seconds since the process start (injectable for tests). */
  constructor(readonly now: () => number = () => performance.now() / 1000) {}

  /** Adds `seconds` to `name`. */
  add(name: PhaseName, seconds: number): void {
    this.seconds.set(name, (this.seconds.get(name) ?? 0) + Math.max(0, seconds));
  }

  /** Runs `work` and adds its duration to `name` (also when it throws). */
  async time<T>(name: PhaseName, work: () => Promise<T>): Promise<T> {
    const start = this.now();
    try {
      return await work();
    } finally {
      this.add(name, this.now() - start);
    }
  }

  /** Seconds recorded so far over every phase. */
  total(): number {
    let sum = 0;
    for (const value of this.seconds.values()) sum += value;
    return sum;
  }

  /** Notes that the first training step ended now. */
  firstStepDone(): void {
    this.firstStepAt ??= this.now();
  }

  /** The breakdown up to now; what no phase covers is `other`. */
  report(): Profile {
    const wallSeconds = Math.max(this.now(), this.total());
    const other = wallSeconds - this.total();
    const names = (Object.keys(PHASES) as PhaseName[]).filter(
      (name) => this.seconds.has(name) || (name === "other" && other > 0),
    );
    return {
      version: 1,
      wallSeconds,
      firstStepAtSeconds: this.firstStepAt,
      phases: names.map((name) => {
        const seconds =
          name === "other" ? other + (this.seconds.get("other") ?? 0) : (this.seconds.get(name) as number);
        return { name, label: PHASES[name], seconds, share: wallSeconds > 0 ? seconds / wallSeconds : 0 };
      }),
    };
  }
}

/** The `--profile` table: one line per phase with seconds and share, then the totals. */
export function formatProfile(profile: Profile): string {
  const width = Math.max(...profile.phases.map((p) => p.label.length), "total".length);
  const line = (label: string, seconds: number, share: number) =>
    `${label.padEnd(width)}  ${seconds.toFixed(3).padStart(8)} s  ${(share * 100).toFixed(1).padStart(5)}%`;
  const rows = profile.phases.map((p) => line(p.label, p.seconds, p.share));
  const first =
    profile.firstStepAtSeconds === null
      ? []
      : [`First step ended ${profile.firstStepAtSeconds.toFixed(3)} s after the process started`];
  return [
    "Profile (wall-clock seconds, share of the command):",
    ...rows,
    line("total", profile.wallSeconds, 1),
    ...first,
  ].join("\n");
}

/** Writes `profile` as the run folder's profile.json. Throws `FileError` naming the file. */
export async function writeProfile(dir: string, profile: Profile): Promise<void> {
  await writeFileAtomic(join(dir, PROFILE_FILE), jsonText(profile));
}

/** `batches` as they are, with `onFirst` called once, when the first item has arrived. */
export function onFirstItem<T>(batches: AsyncIterable<T>, onFirst: () => void): AsyncIterable<T> {
  return {
    [Symbol.asyncIterator]() {
      const inner = batches[Symbol.asyncIterator]();
      let seen = false;
      return {
        async next() {
          const result = await inner.next();
          if (!seen && !result.done) {
            seen = true;
            onFirst();
          }
          return result;
        },
        ...(inner.return ? { return: inner.return.bind(inner) } : {}),
        ...(inner.throw ? { throw: inner.throw.bind(inner) } : {}),
      };
    },
  };
}

/**
 * `batches` with the time from asking for their iterator to their end (or to leaving them early)
 * added to phase `name`: the consumer's work between items counts too.
 */
export function timedIteration<T>(
  batches: AsyncIterable<T>,
  phases: PhaseRecorder,
  name: PhaseName,
): AsyncIterable<T> {
  return {
    [Symbol.asyncIterator]() {
      const start = phases.now();
      const inner = batches[Symbol.asyncIterator]();
      let open = true;
      const close = () => {
        if (!open) return;
        open = false;
        phases.add(name, phases.now() - start);
      };
      return {
        async next() {
          try {
            const result = await inner.next();
            if (result.done) close();
            return result;
          } catch (error) {
            close();
            throw error;
          }
        },
        async return(value?: unknown) {
          close();
          return inner.return ? inner.return(value) : { done: true, value: value as T };
        },
      };
    },
  };
}
