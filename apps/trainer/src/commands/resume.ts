import type { Command } from "commander";
import { addBackendFlag } from "../flags.ts";
import { choiceFlag } from "../options.ts";

/**
 * `trainer resume RUN`: the same as `train --resume RUN` (with the only flags a resume takes,
 * `--backend` and `--loader`); `train` is run with those arguments by `run`.
 */
export function registerResume(program: Command, run: (args: string[]) => Promise<unknown>): void {
  const command = program
    .command("resume")
    .argument("<RUN>", "the run folder to continue (e.g. runs/iris)")
    .description("continue an interrupted run from its last checkpoint (the same as train --resume RUN)")
    .option(
      "--loader <auto|main|worker>",
      "prepare batches on the training thread, or on a worker thread (default: the run's)",
      choiceFlag("--loader", ["auto", "main", "worker"] as const),
    );
  addBackendFlag(command);
  command.action(async (dir: string, flags: { loader?: string; backend?: string }, cmd: Command) => {
    const args = ["train", "--resume", dir];
    // Only what was typed: a default would count as a flag given to train --resume.
    if (cmd.getOptionValueSource("backend") === "cli") args.push("--backend", flags.backend as string);
    if (flags.loader !== undefined) args.push("--loader", flags.loader);
    await run(args);
  });
}
