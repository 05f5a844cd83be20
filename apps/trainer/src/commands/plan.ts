import { type Plan, plan } from "@stepwise/core";
import type { Command } from "commander";
import { describeRankEnv } from "../distributed/env.ts";
import { applyRankEnv } from "../distributed/join.ts";
import { UsageError } from "../errors.ts";
import { addCsvFormatFlags, addPlanFlags, addSplitFlags, addValidationFlags } from "../flags.ts";
import { formatPlan } from "../format/plan-table.ts";
import { integerFlag } from "../options.ts";
import { validationOverlap } from "../outputs.ts";
import { countDataRows } from "../rows.ts";

interface PlanFlags {
  samples?: number;
  data?: string;
  header: boolean;
  delimiter?: string;
  format?: string;
  batchSize?: number;
  epochs: number;
  initialEpoch: number;
  stepsPerEpoch?: number;
  validationSamples?: number;
  validationData?: string;
  validationSplit?: number;
  validationSteps?: number;
  validationFreq?: number | number[];
  dropRemainder: boolean;
  numShards: number;
  shardIndex: number;
  shardPolicy: "pad" | "drop";
  onExhausted: "repeat" | "stop";
  json: boolean;
}

/** Resolves counts (counting file rows when given files) and computes the plan. */
export async function planFromFlags(flags: PlanFlags): Promise<Plan> {
  if ((flags.samples === undefined) === (flags.data === undefined)) {
    throw new UsageError("give exactly one of --samples N or --data FILE");
  }
  if (flags.validationSamples !== undefined && flags.validationData !== undefined) {
    throw new UsageError("give at most one of --validation-samples N or --validation-data FILE");
  }
  if (
    flags.validationSplit !== undefined &&
    (flags.validationSamples !== undefined || flags.validationData !== undefined)
  ) {
    throw new UsageError(
      "give at most one of --validation-split FRACTION, --validation-samples N or --validation-data FILE",
    );
  }
  if (flags.batchSize === undefined) throw new UsageError("--batch-size is required");
  const csv = { header: flags.header, delimiter: flags.delimiter, format: flags.format };
  const rows = flags.samples ?? (await countDataRows(flags.data as string, csv, "--data"));
  // The split train makes: the same sizes from the same code (which rows go where does not change the plan).
  const { splitSizes } = await import("../train/split.ts");
  const split = flags.validationSplit === undefined ? null : splitSizes(rows, flags.validationSplit);
  const numSamples = split?.train ?? rows;
  const validationSamples =
    split?.validation ??
    (flags.validationData !== undefined
      ? await countDataRows(flags.validationData, csv, "--validation-data")
      : flags.validationSamples);
  return plan({
    numSamples,
    batchSize: flags.batchSize,
    epochs: flags.epochs,
    initialEpoch: flags.initialEpoch,
    stepsPerEpoch: flags.stepsPerEpoch ?? null,
    dropRemainder: flags.dropRemainder,
    onExhausted: flags.onExhausted,
    ...(validationSamples !== undefined ? { validationSamples } : {}),
    validationSteps: flags.validationSteps ?? null,
    ...(flags.validationFreq !== undefined ? { validationFreq: flags.validationFreq } : {}),
    numShards: flags.numShards,
    shardIndex: flags.shardIndex,
    shardPolicy: flags.shardPolicy,
  });
}

/** `trainer plan`: prints the whole epoch plan before any training data is read. */
export function registerPlan(program: Command): void {
  const command = program
    .command("plan")
    .description("print the epoch plan: steps per epoch, validation steps, totals and warnings")
    .option("--samples <N>", "number of training samples", integerFlag("--samples", 1))
    .option("--data <FILE|DIR|GLOB>", "training CSV data; N is its number of data rows")
    .option(
      "--validation-samples <N>",
      "number of validation samples",
      integerFlag("--validation-samples", 1),
    )
    .option("--json", "print the plan as one JSON object", false);
  addCsvFormatFlags(command);
  addValidationFlags(command);
  addSplitFlags(command);
  addPlanFlags(command, { epochs: 1 });
  command.action(async (flags: PlanFlags, command: Command) => {
    if (flags.data !== undefined) {
      const overlap = await validationOverlap(flags.data, flags.validationData);
      if (overlap) process.stderr.write(`${overlap}\n`);
    }
    // --num-shards/--shard-index default to the rank contract of the environment, as in train.
    const found = applyRankEnv(flags, (key) => command.getOptionValueSource(key) === "cli");
    const result = await planFromFlags(flags);
    process.stdout.write(flags.json ? `${JSON.stringify(result)}\n` : formatPlan(result));
    if (!flags.json) process.stdout.write(`${describeRankEnv(found)}\n`);
  });
}
