import type { Command } from "commander";
import { ExitStatus, UsageError } from "../errors.ts";
import { integerFlag } from "../options.ts";

type Io = { stdout: { write(text: string): unknown }; stderr: { write(text: string): unknown } };

/**
 * Splits `launch` arguments into the rank count and the command every rank runs: `--nproc W`
 * (or `--nproc=W`) comes first, everything from the command on is passed through untouched.
 * Throws `UsageError` when either is missing.
 */
export function parseLaunchArgs(argv: readonly string[]): { nproc: number; args: string[] } {
  let nproc: number | null = null;
  let i = 0;
  for (; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === "--nproc") nproc = integerFlag("--nproc", 1)(argv[++i] ?? "");
    else if (arg.startsWith("--nproc=")) nproc = integerFlag("--nproc", 1)(arg.slice("--nproc=".length));
    else break;
  }
  if (nproc === null)
    throw new UsageError("launch needs --nproc W before the command, e.g. launch --nproc 2 train …");
  const args = argv.slice(i);
  if (args[0] !== "train") {
    throw new UsageError(`launch runs ranks of "train", got ${JSON.stringify(args[0] ?? "nothing")}`);
  }
  return { nproc, args };
}

/** Runs `trainer launch …` (arguments after `launch`); throws `ExitStatus` with the first failing rank's code. */
export async function runLaunch(argv: readonly string[], io: Io): Promise<void> {
  const { nproc, args } = parseLaunchArgs(argv);
  const { launch } = await import("../distributed/launch.ts");
  const code = await launch({ nproc, args, stdout: io.stdout, stderr: io.stderr });
  if (code !== 0) throw new ExitStatus(code);
}

/**
 * `trainer launch --nproc W <command …>`: W local ranks of one run, as `torchrun --standalone`
 * starts them. The arguments after the command are the command's own, so `main` hands them over
 * before the program parses them; this registration gives the command its help.
 */
export function registerLaunch(
  program: Command,
  io: Io = { stdout: process.stdout, stderr: process.stderr },
): void {
  program
    .command("launch")
    .description(
      "start W ranks of a command on this machine (e.g. launch --nproc 2 train …): the torchrun environment for each, output prefixed by rank, all stopped when one fails",
    )
    .option("--nproc <W>", "number of ranks to start (before the command)")
    .argument("[command...]", "the trainer command and its flags, run by every rank")
    .allowUnknownOption()
    .action(async (_args: string[], _flags: unknown, command: Command) => {
      await runLaunch(command.parent?.args.slice(1) ?? [], io);
    });
}
