import type { Command } from "commander";
import { addScoringFlags } from "../flags.ts";
import type { TrainIo } from "../train/run.ts";

/** `trainer evaluate`: loss and metrics of a finished run's model on labelled CSV data. */
export function registerEvaluate(
  program: Command,
  io: TrainIo = { stdout: process.stdout, stderr: process.stderr },
): void {
  const command = program
    .command("evaluate")
    .description("loss and metrics of a finished run's model on labelled CSV data")
    .requiredOption("--run <RUN>", "run folder written by train (e.g. runs/iris)")
    .requiredOption("--data <FILE|DIR|GLOB>", "CSV data with the label column, in the training data's format")
    .option("--json", "print one JSON object", false);
  addScoringFlags(command).action(async (flags) => {
    const { evaluateRun } = await import("../score/evaluate.ts");
    await evaluateRun(flags, io);
  });
}
