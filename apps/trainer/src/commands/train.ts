import type { Command } from "commander";
import {
  addBackendFlag,
  addDataFlags,
  addManifestFlag,
  addOverwriteFlag,
  addPlanFlags,
  addShuffleFlags,
  addSplitFlags,
  addValidationFlags,
} from "../flags.ts";
import { choiceFlag, classWeightFlag, integerFlag, numberFlag } from "../options.ts";
import { OPTIMIZERS, TRAIN_STEP_MODES } from "../train/config.ts";
import type { TrainIo } from "../train/run.ts";

/** `trainer train`: trains a model on CSV data into a run folder; `--resume` continues one. */
export function registerTrain(
  program: Command,
  io: TrainIo = { stdout: process.stdout, stderr: process.stderr },
): void {
  const command = program
    .command("train")
    .description("train a model on CSV data with an exact epoch plan, checkpoints and a run folder")
    .option(
      "--config <FILE>",
      "read settings from a JSON or YAML file (command-line flags win; paths relative to the file)",
    )
    .option("--resume <RUN>", "continue an interrupted run from its last checkpoint (e.g. runs/iris)")
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
    .option(
      "--learning-rate <LR>",
      "optimizer learning rate (default: adam/rmsprop 0.001, sgd 0.01)",
      numberFlag("--learning-rate", { above: 0 }),
    )
    .option("--optimizer <adam|sgd|rmsprop>", "optimizer", choiceFlag("--optimizer", OPTIMIZERS), "adam")
    .option(
      "--early-stopping-patience <P>",
      "stop after P epochs without improvement of val_loss (or loss); default with validation data: 10, and --epochs defaults to 100",
      integerFlag("--early-stopping-patience", 1),
    )
    .option("--no-early-stopping", "train every planned epoch even when val_loss stops improving")
    .option(
      "--no-restore-best",
      "with early stopping: save the last epoch's weights instead of the best epoch's",
    )
    .option(
      "--class-weight <balanced|0=1,1=4>",
      "weight each sample's loss by its class: balanced (n / (classes × count of the class)) or class=weight pairs",
      classWeightFlag,
    )
    .option(
      "--loader <auto|main|worker>",
      "prepare batches on the training thread, or on a worker thread in parallel to training; auto: the worker from 50,000 samples per pass",
      choiceFlag("--loader", ["auto", "main", "worker"] as const),
      "auto",
    )
    .option(
      "--train-step <auto|tfjs>",
      "auto: a fused step for plain Dense stacks (tfjs's results to float32 rounding, ~5x faster steps), else trainOnBatch; tfjs: always trainOnBatch",
      choiceFlag("--train-step", TRAIN_STEP_MODES),
      "auto",
    )
    .option("--out <DIR>", "run folder (default: runs/<data>-<date>)")
    .option(
      "--profile",
      "print where the command's time went (seconds and share per phase) at the end; every run records it in profile.json",
    )
    .option(
      "--print-env",
      "print the rank contract found in the environment (torchrun, Kubernetes Indexed Job, Slurm) and exit",
    );
  addDataFlags(command);
  addValidationFlags(command);
  addSplitFlags(command);
  addPlanFlags(command, { batchSize: 32, epochs: 10 });
  addShuffleFlags(command);
  addManifestFlag(command);
  addOverwriteFlag(command, "the --rejects or --manifest file");
  addBackendFlag(command);
  command.action(async (flags: Record<string, unknown>, command: Command) => {
    // Loaded on use: tfjs and the data pipeline take a while to load and `plan` needs neither.
    const { resumeRun, startRun } = await import("../train/start.ts");
    if (typeof flags.resume === "string") await resumeRun(command, flags, io);
    else await startRun(command, flags, io);
  });
}
