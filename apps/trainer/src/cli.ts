import { Command } from "commander";
import { registerEvaluate } from "./commands/evaluate.ts";
import { registerInspect } from "./commands/inspect.ts";
import { registerLaunch, runLaunch } from "./commands/launch.ts";
import { registerPlan } from "./commands/plan.ts";
import { registerPredict } from "./commands/predict.ts";
import { registerResume } from "./commands/resume.ts";
import { registerTrain } from "./commands/train.ts";
import { registerVerifyManifest } from "./commands/verify-manifest.ts";
import { describeFailure } from "./errors.ts";

/** The `trainer` program with every command registered; `exitOverride` so errors reach `main`. */
export function buildProgram(): Command {
  const program = new Command("trainer")
    .description("Train TensorFlow.js models on local datasets with an exact epoch plan")
    .option("--debug", "print stack traces on errors")
    .exitOverride();
  registerPlan(program);
  registerTrain(program);
  registerResume(program, (args) => buildProgram().parseAsync(args, { from: "user" }));
  registerEvaluate(program);
  registerPredict(program);
  registerInspect(program);
  registerVerifyManifest(program);
  registerLaunch(program);
  for (const command of program.commands) command.exitOverride();
  return program;
}

/** Runs the CLI; every failure becomes one line on stderr and a non-zero exit code. */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    // `launch` passes its command's flags through untouched, so commander never parses them.
    const help = argv.includes("--help") || argv.includes("-h");
    if (argv[0] === "launch" && !help) {
      await runLaunch(argv.slice(1), { stdout: process.stdout, stderr: process.stderr });
      return 0;
    }
    await program.parseAsync(argv, { from: "user" });
    return 0;
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === "commander.helpDisplayed" || code === "commander.version") return 0;
    if (code === "commander.help") return 0;
    const { text, exitCode } = describeFailure(error, argv.includes("--debug"));
    if (!code?.startsWith("commander.") && text !== "") process.stderr.write(`${text}\n`);
    return exitCode;
  }
}

/**
 * Exit code when the reader of standard output went away (`trainer inspect … | head -1`): 128 +
 * SIGPIPE, what a process killed by SIGPIPE reports. Nothing is printed: the reader chose to stop.
 */
export const EXIT_PIPE_CLOSED = 141;

function isClosedPipe(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === "EPIPE";
}

/**
 * The process entry: runs `main` and makes sure that whatever happens the user gets one line and
 * an honest exit code. A closed stdout pipe ends the command quietly (`EXIT_PIPE_CLOSED`); an error
 * no command caught (an event emitter's error, a rejected promise nobody awaited) prints one line
 * (its stack with `--debug`) and exits 1; and a command whose work stalls (the event loop empties
 * while it still waits on something that will never happen) exits 1 with a line saying so instead
 * of ending quietly with 0 as if it had finished.
 */
export function runEntry(argv: string[], run: (argv: string[]) => Promise<number> = main): void {
  const debug = argv.includes("--debug");
  let finished = false;
  const fail = (error: unknown) => {
    if (isClosedPipe(error)) process.exit(EXIT_PIPE_CLOSED);
    const { text, exitCode } = describeFailure(error, debug);
    if (text !== "") process.stderr.write(`${text}\n`);
    process.exit(exitCode);
  };
  process.stdout.on("error", (error) => {
    if (isClosedPipe(error)) process.exit(EXIT_PIPE_CLOSED);
    fail(error);
  });
  process.on("uncaughtException", fail);
  process.on("unhandledRejection", fail);
  process.once("beforeExit", () => {
    if (finished) return;
    process.stderr.write(
      "error: the command stopped before it finished: an operation it waited for never completed (run with --debug for details)\n",
    );
    process.exitCode = 1;
  });
  run(argv).then((exitCode) => {
    finished = true;
    process.exitCode = exitCode;
  }, fail);
}

const isEntry =
  process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/\\/g, "/"));
if (isEntry) runEntry(process.argv.slice(2));
