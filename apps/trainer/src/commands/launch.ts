import type { Command } from "commander";
import { ExitStatus, UsageError } from "../errors.ts";
import { integerFlag } from "../options.ts";

/** `trainer launch --nproc W <command …>`: W local ranks of one run, as `torchrun --standalone` starts them. */
export function registerLaunch(
  program: Command,
  io: { stdout: { write(text: string): unknown }; stderr: { write(text: string): unknown } } = {
    stdout: process.stdout,
    stderr: process.stderr,
  },
): void {
  program
    .command("launch")
    .description(
      "start W ranks of a command on this machine (e.g. launch --nproc 2 train …): the torchrun environment for each, output prefixed by rank, all stopped when one fails",
    )
    .requiredOption("--nproc <W>", "number of ranks to start", integerFlag("--nproc", 1))
    .argument("<command...>", "the trainer command and its flags, run by every rank")
    .passThroughOptions()
    .allowUnknownOption()
    .action(async (args: string[], flags: { nproc: number }) => {
      if (args[0] !== "train") {
        throw new UsageError(`launch runs ranks of "train", got ${JSON.stringify(args[0])}`);
      }
      const { launch } = await import("../distributed/launch.ts");
      const code = await launch({ nproc: flags.nproc, args, stdout: io.stdout, stderr: io.stderr });
      if (code !== 0) throw new ExitStatus(code);
    });
}
