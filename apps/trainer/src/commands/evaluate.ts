import type { Command } from "commander";
import { choiceFlag, integerFlag } from "../options.ts";
import type { TrainIo } from "../train/run.ts";

/** `trainer evaluate`: loss and metrics of a finished run's model on labelled CSV data. */
export function registerEvaluate(
  program: Command,
  io: TrainIo = { stdout: process.stdout, stderr: process.stderr },
): void {
  program
    .command("evaluate")
    .description("loss and metrics of a finished run's model on labelled CSV data")
    .requiredOption("--run <RUN>", "run folder written by train (e.g. runs/iris)")
    .requiredOption("--data <FILE|DIR|GLOB>", "CSV data with the label column, in the training data's format")
    .option("--batch-size <B>", "samples per step (default: the run's)", integerFlag("--batch-size", 1))
    .option(
      "--backend <wasm|cpu>",
      "tfjs backend (wasm falls back to cpu with a warning)",
      choiceFlag("--backend", ["wasm", "cpu"] as const),
      "wasm",
    )
    .option("--json", "print one JSON object", false)
    .action(async (flags) => {
      const { evaluateRun } = await import("../score/evaluate.ts");
      await evaluateRun(flags, io);
    });
}
