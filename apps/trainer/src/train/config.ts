import { randomInt } from "node:crypto";
import { basename } from "node:path";
import type { OnExhausted, ShardPolicy } from "@stepwise/core";
import { UsageError } from "../errors.ts";
import type { FormatFlag, ShuffleFlag } from "../flags.ts";
import type { SplitMode } from "./split.ts";

export const OPTIMIZERS = ["adam", "sgd", "rmsprop"] as const;
export type OptimizerName = (typeof OPTIMIZERS)[number];
/** `auto`: the fused Dense step when the model allows it, else tfjs; `tfjs`: always `trainOnBatch`. */
export const TRAIN_STEP_MODES = ["auto", "tfjs"] as const;
export type TrainStepMode = (typeof TRAIN_STEP_MODES)[number];
export type TaskFlag = "auto" | "classification" | "regression";
export type BadRecordPolicy = "error" | "skip" | "quarantine";

/** Everything a training run is made of; written to the run folder as config.json. */
export interface TrainConfig {
  data: string;
  label: string;
  features?: string[];
  categorical?: string[];
  numeric?: string[];
  ignore?: string[];
  /** Largest vocabulary: for every categorical column, or by column with `"*"` for the others. */
  maxCategories?: number | Record<string, number>;
  minFrequency?: number;
  maxOneHot?: number;
  hashBuckets?: number;
  dateFeatures?: "none" | "basic" | "cyclical";
  header: boolean;
  delimiter?: string;
  /** Data file format; unset or `auto`: by extension. */
  format?: FormatFlag;
  task: TaskFlag;
  model: string;
  modelJson?: string;
  batchSize: number;
  epochs: number;
  initialEpoch: number;
  stepsPerEpoch?: number;
  dropRemainder: boolean;
  onExhausted: OnExhausted;
  validationData?: string;
  validationSplit?: number;
  splitMode: SplitMode;
  validationSteps?: number;
  validationFreq?: number | number[];
  /**
   * How a pass is ordered: `full` and `none` read CSV files through a row index, `buffer` streams
   * them. Resolved before the run starts (see `resolveShuffle`) and saved; configs saved without it
   * resume as `buffer`, the only shuffle there was.
   */
  shuffle?: ShuffleFlag;
  /** Bytes the indexed reader may hold, as given (`"256MB"`); `full`/`none` only. */
  memoryBudget?: string;
  shuffleBuffer?: number;
  seed: number;
  learningRate?: number;
  optimizer: OptimizerName;
  earlyStoppingPatience?: number;
  /** false: no early stopping (`--no-early-stopping`); saved configs without it decide by `earlyStoppingPatience` alone. */
  earlyStopping?: boolean;
  /**
   * Keep the weights of the epoch with the best monitored value and save those (Keras's
   * `restore_best_weights`); set on new runs that stop early unless `--no-restore-best`.
   * Saved configs without it mean false.
   */
  restoreBest?: boolean;
  /** `balanced`, or `class=weight` pairs (`0=1,1=4`, class names or indices) as given; weights each sample's loss by its class. */
  classWeight?: string;
  numShards: number;
  shardIndex: number;
  shardPolicy: ShardPolicy;
  onBadRecord: BadRecordPolicy;
  rejects?: string;
  /** Most bad rows a pass may leave out, as given (`"10"`, `"0.1%"`); needs `skip` or `quarantine`. */
  maxBadRows?: string;
  /** Per-step manifest file; a resumed run appends to it. */
  manifest?: string;
  backend: "wasm" | "cpu";
  /** Where batches are prepared: the training thread, a worker thread in parallel to training, or `auto` (by pass size). */
  loader: "main" | "worker" | "auto";
  /** `auto`: fused Dense kernels when the model allows them; `tfjs`: `trainOnBatch`. Saved configs without it mean `auto`. */
  trainStep?: TrainStepMode;
}

/** Config keys holding paths: relative to a config file's folder when read from one. */
export const PATH_KEYS = ["data", "validationData", "modelJson", "rejects", "manifest"] as const;

const CONFIG_KEYS: readonly (keyof TrainConfig)[] = [
  "data",
  "label",
  "features",
  "categorical",
  "numeric",
  "ignore",
  "maxCategories",
  "minFrequency",
  "maxOneHot",
  "hashBuckets",
  "dateFeatures",
  "header",
  "delimiter",
  "format",
  "task",
  "model",
  "modelJson",
  "batchSize",
  "epochs",
  "initialEpoch",
  "stepsPerEpoch",
  "dropRemainder",
  "onExhausted",
  "validationData",
  "validationSplit",
  "splitMode",
  "validationSteps",
  "validationFreq",
  "shuffle",
  "memoryBudget",
  "shuffleBuffer",
  "seed",
  "learningRate",
  "optimizer",
  "earlyStoppingPatience",
  "earlyStopping",
  "restoreBest",
  "classWeight",
  "numShards",
  "shardIndex",
  "shardPolicy",
  "onBadRecord",
  "rejects",
  "maxBadRows",
  "manifest",
  "backend",
  "loader",
  "trainStep",
];

/**
 * Checks merged flags for what commander cannot (required settings, conflicts) and fixes the
 * seed: a missing one is drawn once from crypto randomness, printed and recorded — never time-based.
 * Returns the config and whether the seed was chosen. Throws `UsageError` naming the fix.
 */
export function resolveTrainConfig(
  flags: Record<string, unknown>,
  explicit: (key: string) => boolean,
  /**
   * A new training run: apply the early-stopping defaults (`earlyStoppingDefaults`), knowing
   * whether an epoch count was given (flag or config file). Resume and inspect pass null.
   */
  newRun: { epochsGiven: boolean } | null = null,
): { config: TrainConfig; seedChosen: boolean } {
  if (typeof flags.data !== "string")
    throw new UsageError("--data is required: the training CSV file, directory or glob");
  if (typeof flags.label !== "string") throw new UsageError("--label is required: the column to predict");
  if (flags.validationData !== undefined && flags.validationSplit !== undefined) {
    throw new UsageError("give at most one of --validation-data FILE or --validation-split FRACTION");
  }
  if (flags.modelJson !== undefined && explicit("model")) {
    throw new UsageError("give at most one of --model mlp:… or --model-json FILE");
  }
  if (
    flags.validationSteps !== undefined &&
    flags.validationData === undefined &&
    flags.validationSplit === undefined
  ) {
    throw new UsageError(
      "--validation-steps needs validation data: add --validation-data FILE or --validation-split 0.2",
    );
  }
  if (flags.rejects !== undefined && flags.onBadRecord !== "quarantine") {
    throw new UsageError("--rejects FILE goes with --on-bad-record quarantine");
  }
  if (flags.onBadRecord === "quarantine" && flags.rejects === undefined) {
    throw new UsageError("--on-bad-record quarantine needs --rejects FILE: where the bad rows go");
  }
  if (flags.maxBadRows !== undefined && flags.onBadRecord === "error") {
    throw new UsageError(
      "--max-bad-rows goes with --on-bad-record skip or quarantine (with error the first bad row stops the run)",
    );
  }
  if (flags.shuffleBuffer !== undefined && (flags.shuffle === "full" || flags.shuffle === "none")) {
    throw new UsageError(
      `--shuffle-buffer goes with --shuffle buffer; --shuffle ${flags.shuffle} reads through a row index and keeps no buffer`,
    );
  }
  if (flags.memoryBudget !== undefined && flags.shuffle === "buffer") {
    throw new UsageError(
      "--memory-budget goes with --shuffle full or none; a buffer shuffle's memory is set by --shuffle-buffer",
    );
  }
  if (flags.earlyStopping === false && flags.earlyStoppingPatience !== undefined) {
    throw new UsageError("give at most one of --early-stopping-patience P or --no-early-stopping");
  }
  const seedChosen = flags.seed === undefined;
  const config: Record<string, unknown> = {};
  for (const key of CONFIG_KEYS) {
    if (flags[key] !== undefined) config[key] = flags[key];
  }
  if (newRun) Object.assign(config, earlyStoppingDefaults(flags, newRun.epochsGiven));
  config.seed = seedChosen ? randomInt(0, 2 ** 31) : flags.seed;
  return { config: config as unknown as TrainConfig, seedChosen };
}

/** Patience when validation data guards training and no `--early-stopping-patience` is given. */
export const DEFAULT_PATIENCE = 10;
/** `--epochs` when early stopping guards training and no epoch count is given (else the flag's 10). */
export const GUARDED_EPOCHS = 100;

/**
 * Early stopping by default: with validation data (and without `--no-early-stopping`) a run
 * stops after `DEFAULT_PATIENCE` epochs without a better val_loss, may run up to
 * `GUARDED_EPOCHS` unless `--epochs` is given, and keeps the best epoch's weights unless
 * `--no-restore-best`. Without validation data early stopping needs an explicit patience.
 */
function earlyStoppingDefaults(flags: Record<string, unknown>, epochsGiven: boolean): Partial<TrainConfig> {
  if (flags.earlyStopping === false) return { restoreBest: false };
  const validates = flags.validationData !== undefined || flags.validationSplit !== undefined;
  const out: Partial<TrainConfig> = {};
  let patience = flags.earlyStoppingPatience as number | undefined;
  if (patience === undefined && validates) {
    patience = DEFAULT_PATIENCE;
    out.earlyStoppingPatience = patience;
    if (!epochsGiven) out.epochs = GUARDED_EPOCHS;
  }
  out.restoreBest = patience !== undefined && flags.restoreBest !== false;
  return out;
}

/** Default run folder: `runs/<data name>-<UTC date and time>`; the name only, no randomness involved. */
export function defaultRunDir(data: string, now: Date): string {
  const stem =
    basename(data)
      .replace(/\.(csv|tsv|txt)(\.gz)?$/i, "")
      .replace(/[^\w.-]+/g, "_") || "run";
  const stamp = now.toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15);
  return `runs/${stem}-${stamp}`;
}
