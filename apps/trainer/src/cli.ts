import { Command } from "commander";
import { registerEvaluate } from "./commands/evaluate.ts";
import { registerInspect } from "./commands/inspect.ts";
import { registerLaunch, runLaunch } from "./commands/launch.ts";
import { registerPlan } from "./commands/plan.ts";
import { registerPredict } from "./commands/predict.ts";
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

const isEntry =
  process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/\\/g, "/"));
if (isEntry) {
  main(process.argv.slice(2)).then((exitCode) => {
    process.exitCode = exitCode;
  });
}
