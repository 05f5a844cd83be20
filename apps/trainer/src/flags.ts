import { ON_EXHAUSTED, SHARD_POLICIES } from "@stepwise/core";
import type { Command } from "commander";
import {
  choiceFlag,
  delimiterFlag,
  integerFlag,
  listFlag,
  maxCategoriesFlag,
  numberFlag,
  validationFreqFlag,
} from "./options.ts";
import { SPLIT_MODES } from "./train/split.ts";

/** What `--shuffle` takes; `permutation` (in-memory random access) never applies to CSV data. */
export const SHUFFLE_MODES = ["full", "buffer", "none"] as const;
export type ShuffleFlag = (typeof SHUFFLE_MODES)[number];

/** The epoch-plan flags every command that plans shares, with per-command defaults. */
export function addPlanFlags(command: Command, defaults: { batchSize?: number; epochs: number }): Command {
  return command
    .option("--batch-size <B>", "samples per step", integerFlag("--batch-size", 1), defaults.batchSize)
    .option(
      "--epochs <E>",
      "index of the last epoch plus one (Keras meaning)",
      integerFlag("--epochs", 1),
      defaults.epochs,
    )
    .option(
      "--initial-epoch <I>",
      "first epoch to run (0-based); data starts at its first step",
      integerFlag("--initial-epoch", 0),
      0,
    )
    .option(
      "--steps-per-epoch <S>",
      "steps per epoch (default: one pass)",
      integerFlag("--steps-per-epoch", 1),
    )
    .option("--drop-remainder", "drop the partial last batch of each pass", false)
    .option(
      "--on-exhausted <repeat|stop>",
      "repeat: epochs span passes; stop: Keras 3 short epochs",
      choiceFlag("--on-exhausted", ON_EXHAUSTED),
      "repeat",
    )
    .option("--num-shards <W>", "number of ranks", integerFlag("--num-shards", 1), 1)
    .option("--shard-index <r>", "this rank (0-based)", integerFlag("--shard-index", 0), 0)
    .option(
      "--shard-policy <pad|drop>",
      "equalise shards by repeating or dropping samples",
      choiceFlag("--shard-policy", SHARD_POLICIES),
      "pad",
    );
}

/** What `--date-features` takes. */
export const DATE_FEATURES_FLAGS = ["none", "basic", "cyclical"] as const;

/** What `--format` takes: the data's file format, `auto` by extension. */
export const FORMAT_FLAGS = ["auto", "csv", "jsonl", "parquet", "arrow"] as const;
export type FormatFlag = (typeof FORMAT_FLAGS)[number];

/** The data format flags: the file format, and for CSV the header and delimiter. */
export function addCsvFormatFlags(command: Command): Command {
  return command
    .option(
      "--format <auto|csv|jsonl|parquet|arrow>",
      "data file format (default auto: .jsonl/.ndjson JSON Lines, .parquet Parquet, .arrow/.feather Arrow IPC, else CSV)",
      choiceFlag("--format", FORMAT_FLAGS),
    )
    .option("--no-header", "the CSV files have no header row")
    .option(
      "--delimiter <CHAR>",
      "CSV field delimiter, one character; \\t for a tab (default: ,)",
      delimiterFlag,
    );
}

/** Flags that pick the training data and its columns, and what to do with bad rows. */
export function addDataFlags(command: Command): Command {
  command
    .option("--data <FILE|DIR|GLOB>", "training CSV data: a file, a directory of part files, or a glob")
    .option("--label <COL>", "the column to predict")
    .option(
      "--features <a,b,c>",
      "feature columns (default: every other usable column)",
      listFlag("--features"),
    )
    .option(
      "--numeric <a,b>",
      "treat these columns as numeric (a value that is not a number is a bad record)",
      listFlag("--numeric"),
    )
    .option(
      "--categorical <a,b>",
      "treat these columns as categorical (one-hot, or embedded above --max-one-hot values)",
      listFlag("--categorical"),
    )
    .option("--ignore <a,b>", "leave these columns out", listFlag("--ignore"))
    .option(
      "--max-categories <N|COL=N,…>",
      "largest vocabulary of a categorical column, e.g. 64 or origin=500,64 (the most frequent values are kept, the rest go to its out-of-vocabulary input; default: no limit)",
      maxCategoriesFlag,
    )
    .option(
      "--min-frequency <N>",
      "categorical values seen in fewer than N training rows go to the out-of-vocabulary input (default 1)",
      integerFlag("--min-frequency", 1),
    )
    .option(
      "--max-one-hot <N>",
      "categorical columns with more values than N are embedded (an Embedding layer per column) instead of one-hot (default 16)",
      integerFlag("--max-one-hot", 0),
    )
    .option(
      "--hash-buckets <N>",
      "hash categorical columns with more than --max-one-hot values into N buckets (embedded) instead of keeping a vocabulary",
      integerFlag("--hash-buckets", 1),
    )
    .option(
      "--date-features <none|basic|cyclical>",
      "what ISO date/timestamp columns become: none (ignored), basic (year, month, day of week, hour) or cyclical (year and sin/cos pairs; default)",
      choiceFlag("--date-features", DATE_FEATURES_FLAGS),
    );
  return addCsvFormatFlags(command)
    .option(
      "--on-bad-record <error|skip|quarantine>",
      "what to do with a malformed row",
      choiceFlag("--on-bad-record", ["error", "skip", "quarantine"] as const),
      "error",
    )
    .option("--rejects <FILE>", "with quarantine: CSV file that receives bad rows and their reasons")
    .option(
      "--max-bad-rows <N|P%>",
      "with skip or quarantine: fail when a pass has more bad rows than this count or share (e.g. 0.1%)",
    );
}

/** Shuffling flags: the kind of shuffle, its memory (budget or buffer size) and the seed. */
export function addShuffleFlags(command: Command): Command {
  return command
    .option(
      "--shuffle <full|buffer|none>",
      "full: every row of a pass in seeded random order, read through a row index (default for CSV files); buffer: a bounded buffer of nearby rows (default for .gz and with --shuffle-buffer); none: file order",
      choiceFlag("--shuffle", SHUFFLE_MODES),
    )
    .option(
      "--memory-budget <BYTES>",
      "with --shuffle full or none: memory for the row index and row blocks, e.g. 256MB or 1GiB (default 256MiB)",
    )
    .option(
      "--shuffle-buffer <K>",
      "with --shuffle buffer: shuffle buffer size in rows",
      integerFlag("--shuffle-buffer", 1),
    )
    .option(
      "--seed <N>",
      "seed for shuffling, the split and initial weights (default: chosen once and recorded)",
      integerFlag("--seed", 0),
    );
}

/** `--manifest`: a per-step record of the rows each step got, checked by `trainer verify-manifest`. */
export function addManifestFlag(command: Command): Command {
  return command.option(
    "--manifest <FILE>",
    "write each step's rows and a rolling hash to this JSON-lines file (check it with trainer verify-manifest)",
  );
}

/** Validation data and how much and how often to validate (rule 4). */
export function addValidationFlags(command: Command): Command {
  return command
    .option("--validation-data <FILE|DIR|GLOB>", "validation CSV data")
    .option(
      "--validation-steps <V>",
      "validation batches per run (default: one pass)",
      integerFlag("--validation-steps", 1),
    )
    .option(
      "--validation-freq <k|1,3,5>",
      "validate every k-th epoch, or after these 1-based epochs",
      validationFreqFlag,
    );
}

/** `--validation-split` and `--split-mode`: the split `train` makes, which `plan` and `inspect` preview. */
export function addSplitFlags(command: Command): Command {
  return command
    .option(
      "--validation-split <F>",
      "hold out this fraction of the training rows for validation",
      numberFlag("--validation-split", { above: 0, below: 1 }),
    )
    .option(
      "--split-mode <random|tail>",
      "random: seeded random rows; tail: the last rows (Keras)",
      choiceFlag("--split-mode", SPLIT_MODES),
      "random",
    );
}

/** The tfjs backend flag shared by every command that runs a model. */
export function addBackendFlag(command: Command): Command {
  return command.option(
    "--backend <wasm|cpu>",
    "tfjs backend (wasm falls back to cpu with a warning)",
    choiceFlag("--backend", ["wasm", "cpu"] as const),
    "wasm",
  );
}

/** Flags of the commands that score a finished run (evaluate, predict). */
export function addScoringFlags(command: Command): Command {
  command.option("--batch-size <B>", "samples per step (default: the run's)", integerFlag("--batch-size", 1));
  command.option(
    "--on-bad-record <error|skip>",
    "a row that cannot be encoded stops the command, or is skipped and counted (default: the run's policy, quarantine as skip)",
    choiceFlag("--on-bad-record", ["error", "skip"] as const),
  );
  return addBackendFlag(command);
}

/** `--overwrite`: the only way an output replaces an existing file; never read from a config file. */
export function addOverwriteFlag(command: Command, outputs: string): Command {
  return command.option("--overwrite", `replace ${outputs} when it already exists`, false);
}
