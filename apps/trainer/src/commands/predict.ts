import type { Command } from "commander";
import { addOverwriteFlag, addScoringFlags } from "../flags.ts";
import type { TrainIo } from "../train/run.ts";

/** `trainer predict`: one prediction per input row with a finished run's model. */
export function registerPredict(
  program: Command,
  io: TrainIo = { stdout: process.stdout, stderr: process.stderr },
): void {
  const command = program
    .command("predict")
    .description("write one prediction per input row (class and probabilities, or value), in row order")
    .requiredOption("--run <RUN>", "run folder written by train (e.g. runs/iris)")
    .requiredOption(
      "--data <FILE|DIR|GLOB>",
      "CSV data in the training data's format (the label column may be absent)",
    )
    .requiredOption(
      "--out <FILE|->",
      "predictions CSV to write (- for standard output; a device or pipe is written in place)",
    )
    .option("--id <COL>", "copy this column to each prediction row (e.g. an id)");
  addOverwriteFlag(command, "the --out file");
  addScoringFlags(command).action(async (flags) => {
    const { predictRun } = await import("../score/predict.ts");
    await predictRun(flags, io);
  });
}
