import { ON_EXHAUSTED, SHARD_POLICIES } from "@stepwise/core";
import type { Command } from "commander";
import { choiceFlag, integerFlag, listFlag, numberFlag, validationFreqFlag } from "../options.ts";
import { OPTIMIZERS } from "../train/config.ts";
import type { TrainIo } from "../train/run.ts";
import { SPLIT_MODES } from "../train/split.ts";

const BACKENDS = ["wasm", "cpu"] as const;

/** `trainer train`: trains a model on CSV data into a run folder; `--resume` continues one. */
export function registerTrain(
  program: Command,
  io: TrainIo = { stdout: process.stdout, stderr: process.stderr },
): void {
  program
    .command("train")
    .description("train a model on CSV data with an exact epoch plan, checkpoints and a run folder")
    .option(
      "--config <FILE>",
      "read settings from a JSON or YAML file (command-line flags win; paths relative to the file)",
    )
    .option("--resume <RUN>", "continue an interrupted run from its last checkpoint (e.g. runs/iris)")
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
    .option("--categorical <a,b>", "treat these columns as categorical (one-hot)", listFlag("--categorical"))
    .option("--ignore <a,b>", "leave these columns out", listFlag("--ignore"))
    .option("--no-header", "the CSV files have no header row")
    .option("--delimiter <CHAR>", "CSV field delimiter (default: ,)")
    .option(
      "--task <auto|classification|regression>",
      "what to predict; auto infers it from the label",
      choiceFlag("--task", ["auto", "classification", "regression"] as const),
      "auto",
    )
    .option("--model <mlp:64,32>", "dense ReLU hidden layers", "mlp:64,32")
    .option(
      "--model-json <FILE>",
      "architecture from a tfjs model.json (trained from seeded initial weights)",
    )
    .option("--batch-size <B>", "samples per step", integerFlag("--batch-size", 1), 32)
    .option(
      "--epochs <E>",
      "index of the last epoch plus one (Keras meaning)",
      integerFlag("--epochs", 1),
      10,
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
    .option("--validation-data <FILE|DIR|GLOB>", "validation CSV data")
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
    )
    .option(
      "--validation-steps <V>",
      "validation batches per run (default: one pass)",
      integerFlag("--validation-steps", 1),
    )
    .option(
      "--validation-freq <k|1,3,5>",
      "validate every k-th epoch, or after these 1-based epochs",
      validationFreqFlag,
    )
    .option(
      "--shuffle-buffer <K>",
      "shuffle buffer size for streamed data",
      integerFlag("--shuffle-buffer", 1),
    )
    .option(
      "--seed <N>",
      "seed for shuffling, the split and initial weights (default: chosen once and recorded)",
      integerFlag("--seed", 0),
    )
    .option(
      "--learning-rate <LR>",
      "optimizer learning rate (default: adam/rmsprop 0.001, sgd 0.01)",
      numberFlag("--learning-rate", { above: 0 }),
    )
    .option("--optimizer <adam|sgd|rmsprop>", "optimizer", choiceFlag("--optimizer", OPTIMIZERS), "adam")
    .option(
      "--early-stopping-patience <P>",
      "stop after P epochs without improvement of val_loss (or loss)",
      integerFlag("--early-stopping-patience", 1),
    )
    .option("--num-shards <W>", "number of ranks", integerFlag("--num-shards", 1), 1)
    .option("--shard-index <r>", "this rank (0-based)", integerFlag("--shard-index", 0), 0)
    .option(
      "--shard-policy <pad|drop>",
      "equalise shards by repeating or dropping samples",
      choiceFlag("--shard-policy", SHARD_POLICIES),
      "pad",
    )
    .option(
      "--on-bad-record <error|skip|quarantine>",
      "what to do with a malformed row",
      choiceFlag("--on-bad-record", ["error", "skip", "quarantine"] as const),
      "error",
    )
    .option("--rejects <FILE>", "with quarantine: CSV file that receives bad rows and their reasons")
    .option(
      "--backend <wasm|cpu>",
      "tfjs backend (wasm falls back to cpu with a warning)",
      choiceFlag("--backend", BACKENDS),
      "wasm",
    )
    .option(
      "--loader <main|worker>",
      "prepare batches on the training thread, or on a worker thread in parallel (pays off when parsing is slower than a step)",
      choiceFlag("--loader", ["main", "worker"] as const),
      "main",
    )
    .option("--out <DIR>", "run folder (default: runs/<data>-<date>)")
    .action(async (flags: Record<string, unknown>, command: Command) => {
      // Loaded on use: tfjs and the data pipeline take a while to load and `plan` needs neither.
      const { resumeRun, startRun } = await import("../train/start.ts");
      if (typeof flags.resume === "string") await resumeRun(command, flags, io);
      else await startRun(command, flags, io);
    });
}
