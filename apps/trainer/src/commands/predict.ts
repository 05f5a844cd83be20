import type { Command } from "commander";
import { choiceFlag, integerFlag } from "../options.ts";
import type { TrainIo } from "../train/run.ts";

/** `trainer predict`: one prediction per input row with a finished run's model. */
export function registerPredict(
  program: Command,
  io: TrainIo = { stdout: process.stdout, stderr: process.stderr },
): void {
  program
    .command("predict")
    .description("write one prediction per input row (class and probabilities, or value), in row order")
    .requiredOption("--run <RUN>", "run folder written by train (e.g. runs/iris)")
    .requiredOption(
      "--data <FILE|DIR|GLOB>",
      "CSV data in the training data's format (the label column may be absent)",
    )
    .requiredOption("--out <FILE>", "predictions CSV to write")
    .option("--id <COL>", "copy this column to each prediction row (e.g. an id)")
    .option("--batch-size <B>", "samples per step (default: the run's)", integerFlag("--batch-size", 1))
    .option(
      "--backend <wasm|cpu>",
      "tfjs backend (wasm falls back to cpu with a warning)",
      choiceFlag("--backend", ["wasm", "cpu"] as const),
      "wasm",
    )
    .action(async (flags) => {
      const { predictRun } = await import("../score/predict.ts");
      await predictRun(flags, io);
    });
}
