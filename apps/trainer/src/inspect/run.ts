import { type Batch, type CsvSource, createPipeline } from "@stepwise/data";
import type { InspectIo } from "../commands/inspect.ts";
import { UsageError } from "../errors.ts";
import { formatPlan } from "../format/plan-table.ts";
import { resolveTrainConfig } from "../train/config.ts";
import { fitSchema, trainingSources } from "../train/data.ts";
import { pipelineOptions } from "../train/feed.ts";

function batchLine(batch: Batch, files: string[] | null): Record<string, unknown> {
  const line: Record<string, unknown> = {
    epoch: batch.epoch,
    step: batch.step,
    rows: batch.rows.map((row) => row.index),
  };
  if (files) line.files = batch.rows.map((row) => files[row.fileIndex]);
  return line;
}

const PREVIEW_ROWS = 12;

function readable(batch: Batch, files: string[] | null): string {
  const rows = batch.rows.map((row) => (files ? `${files[row.fileIndex]}:${row.line}` : String(row.index)));
  const shown = rows.length > PREVIEW_ROWS ? [...rows.slice(0, PREVIEW_ROWS), `… (${rows.length})`] : rows;
  return (
    `epoch ${batch.epoch} step ${batch.step} (pass ${batch.pass}, batch ${batch.batchInPass}): ` +
    `${batch.batchSize} rows [${shown.join(", ")}]\n`
  );
}

/**
 * Runs the training pipeline without a model and prints every batch's rows: rows are 0-based
 * data rows (header excluded) numbered across all files in reading order; with several files
 * each row's file is listed too.
 */
export async function inspect(
  flags: Record<string, unknown>,
  explicit: (key: string) => boolean,
  io: InspectIo,
): Promise<void> {
  if (flags.batchSize === undefined) throw new UsageError("--batch-size is required");
  const { config, seedChosen } = resolveTrainConfig(flags, explicit);
  const schema = await fitSchema(config);
  const { train } = trainingSources(config, schema);
  const source = train as CsvSource;
  const pipeline = await createPipeline({ ...pipelineOptions(config), source });
  const list = await source.files();
  const files = list.length > 1 ? list : null;
  const json = flags.json === true;
  if (seedChosen)
    io.stderr.write(`seed ${config.seed} (chosen at random; pass --seed ${config.seed} to repeat)\n`);
  if (!json) io.stdout.write(`${formatPlan(pipeline.plan)}\n`);
  let steps = 0;
  let samples = 0;
  for (let epoch = pipeline.plan.initialEpoch; epoch < pipeline.plan.endEpoch; epoch++) {
    for await (const batch of pipeline.epoch(epoch)) {
      steps++;
      samples += batch.batchSize;
      io.stdout.write(json ? `${JSON.stringify(batchLine(batch, files))}\n` : readable(batch, files));
    }
  }
  await pipeline.close();
  const { cumulative } = source.summary();
  const summary = {
    seed: config.seed,
    numSamples: pipeline.numSamples,
    steps,
    samples,
    rowsRead: cumulative.rowsRead,
    rowsUsed: cumulative.rowsUsed,
    rowsSkipped: cumulative.rowsSkipped,
    rowsQuarantined: cumulative.rowsQuarantined,
    passesStarted: source.summary().passesStarted,
    badRecords: source.summary().badRecords,
  };
  io.stdout.write(
    json
      ? `${JSON.stringify({ summary })}\n`
      : `\n${Object.entries(summary)
          .map(([key, value]) => `${key}: ${typeof value === "object" ? JSON.stringify(value) : value}`)
          .join("\n")}\n`,
  );
}
