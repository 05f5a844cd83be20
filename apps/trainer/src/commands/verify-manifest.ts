import type { Command } from "commander";
import { ExitStatus } from "../errors.ts";

export interface VerifyIo {
  stdout: { write(text: string): unknown };
}

interface VerifyFlags {
  reference?: string[];
  allowIncomplete: boolean;
  json: boolean;
}

/**
 * `trainer verify-manifest`: checks the step manifests of a run (one file per rank, resumed
 * segments appended): every row once per pass with padding counted apart, intact hash chains,
 * no missing step, no missing tail (the run's planned end reached, or the run stopped early on
 * purpose) unless `--allow-incomplete`, and with `--reference` the same rows at every step as the
 * reference run.
 * Prints the report; exit 0 when it holds, 1 when it does not.
 */
export function registerVerifyManifest(program: Command, io: VerifyIo = { stdout: process.stdout }): void {
  program
    .command("verify-manifest")
    .description(
      "check --manifest files: every row exactly once per pass (padding counted apart), hash chains intact, and with --reference the same batches as another run",
    )
    .argument("<FILE...>", "manifest files: one per rank of the same run")
    .option(
      "--reference <FILE>",
      "manifest of an uninterrupted run that every common step must equal (repeat for several ranks)",
      (value: string, previous: string[] | undefined) => [...(previous ?? []), value],
    )
    .option(
      "--allow-incomplete",
      "accept a manifest that stops before its run's planned end (a failed, interrupted or killed run, or lost last lines)",
      false,
    )
    .option("--json", "print the report as one JSON object", false)
    .action(async (files: string[], flags: VerifyFlags) => {
      // Loaded on use, as every command that reads data does.
      const { describeManifestReport, verifyManifest } = await import("@stepwise/data/internals");
      const report = await verifyManifest(files, {
        ...(flags.reference ? { reference: flags.reference } : {}),
        allowIncomplete: flags.allowIncomplete,
      });
      io.stdout.write(`${flags.json ? JSON.stringify(report) : describeManifestReport(report)}\n`);
      if (!report.ok) throw new ExitStatus(1);
    });
}
