import type { Command } from "commander";
import {
  addDataFlags,
  addManifestFlag,
  addOverwriteFlag,
  addPlanFlags,
  addShuffleFlags,
  addSplitFlags,
} from "../flags.ts";
import type { InspectIo } from "../inspect/run.ts";

/** `trainer inspect`: prints exactly which data rows every step of the plan gets. */
export function registerInspect(
  program: Command,
  io: InspectIo = { stdout: process.stdout, stderr: process.stderr },
): void {
  const command = program
    .command("inspect")
    .description("show the rows of every batch (with their provenance) as training would get them")
    .option("--json", "one JSON line per batch, then one summary line", false);
  addDataFlags(command);
  addSplitFlags(command);
  // train's defaults, so that inspect shows the batches train makes with the same flags.
  addPlanFlags(command, { batchSize: 32, epochs: 1 });
  addShuffleFlags(command);
  addManifestFlag(command);
  addOverwriteFlag(command, "the --rejects or --manifest file");
  command.action(async (flags: Record<string, unknown>, cmd: Command) => {
    const { inspect } = await import("../inspect/run.ts");
    await inspect(flags, (key) => cmd.getOptionValueSource(key) === "cli", io);
  });
}
