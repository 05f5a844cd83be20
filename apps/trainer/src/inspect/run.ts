import {
  type Batch,
  type CsvSource,
  createPipeline,
  type GroupedSource,
  type IndexedCsvSource,
  isPadding,
} from "@stepwise/data/internals";
import { formatPlan } from "../format/plan-table.ts";
import { checkBatchMemory } from "../limits.ts";
import { checkRunOutputs } from "../outputs.ts";
import { resolveTrainConfig, type TrainConfig } from "../train/config.ts";
import { fitSchema } from "../train/data.ts";
import { pipelineOptions } from "../train/feed.ts";
import { openRunManifest } from "../train/manifest.ts";
import { resolveShuffle, trainingSources } from "../train/sources.ts";

/** Where `trainer inspect` writes: batches and the summary to stdout, notices to stderr. */
export interface InspectIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
}

function batchLine(batch: Batch, files: string[] | null): Record<string, unknown> {
  const line: Record<string, unknown> = {
    epoch: batch.epoch,
    step: batch.step,
    pass: batch.pass,
    rows: batch.rows.map((row) => row.index),
    // The last `padding` rows repeat rows of the pass so that every rank has as many steps.
    padding: batch.rows.filter(isPadding).length,
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
  const { config, seedChosen } = resolveTrainConfig(flags, explicit);
  await checkRunOutputs(config, { kind: "new" }, flags.overwrite === true);
  config.shuffle = await resolveShuffle(config);
  const schema = await fitSchema(config);
  checkBatchMemory(config.batchSize, schema.numFeatures);
  const { train, validation, data } = await trainingSources(config, schema);
  // On this thread: the summary below counts what this thread's source read.
  const pipeline = await createPipeline({ ...pipelineOptions(config), source: train, loader: "main" });
  const list = await data.files();
  const files = list.length > 1 ? list : null;
  const json = flags.json === true;
  if (seedChosen)
    io.stderr.write(`seed ${config.seed} (chosen at random; pass --seed ${config.seed} to repeat)\n`);
  if (!json) io.stdout.write(`${formatPlan(pipeline.plan)}\n`);
  const manifest = await openRunManifest(config.manifest, pipeline, null);
  let steps = 0;
  let samples = 0;
  const passes = new Set<number>();
  let finished = false;
  try {
    for (let epoch = pipeline.plan.initialEpoch; epoch < pipeline.plan.endEpoch; epoch++) {
      for await (const batch of pipeline.epoch(epoch)) {
        steps++;
        samples += batch.batchSize;
        passes.add(batch.pass);
        await manifest?.write(batch);
        io.stdout.write(json ? `${JSON.stringify(batchLine(batch, files))}\n` : readable(batch, files));
      }
    }
    finished = true;
  } finally {
    await manifest?.close(finished ? { finished } : {});
    await pipeline.close();
  }
  const summary = {
    seed: config.seed,
    shuffle: config.shuffle,
    numSamples: pipeline.numSamples,
    // With --validation-split: the samples train holds out (never in the batches above).
    ...(config.validationSplit !== undefined ? { validationSamples: validation?.numSamples ?? null } : {}),
    steps,
    samples,
    passes: passes.size,
    ...rowCounts(data, config),
    badRecords: data.summary().badRecords,
  };
  io.stdout.write(
    json
      ? `${JSON.stringify({ summary })}\n`
      : `\n${Object.entries(summary)
          .map(([key, value]) => `${key}: ${typeof value === "object" ? JSON.stringify(value) : value}`)
          .join("\n")}\n`,
  );
}

/**
 * Rows of the data: a stream counts what its passes read (all passes together); an indexed
 * source knows its rows from the index and its bad rows from the one scan that found them, and
 * reads only the rows a step needs, so its counts are those of one pass.
 */
function rowCounts(data: CsvSource, config: TrainConfig) {
  const quarantined = config.onBadRecord === "quarantine";
  if (!("index" in data) && "badRows" in data) {
    // Parquet and Arrow: random access through row groups, bad rows found once when opened.
    const grouped = data as GroupedSource;
    return {
      rowsRead: grouped.numSamples + grouped.badRows,
      rowsUsed: grouped.numSamples,
      rowsSkipped: quarantined ? 0 : grouped.badRows,
      rowsQuarantined: quarantined ? grouped.badRows : 0,
    };
  }
  if (!("index" in data)) {
    const { rowsRead, rowsUsed, rowsSkipped, rowsQuarantined } = data.summary().cumulative;
    return { rowsRead, rowsUsed, rowsSkipped, rowsQuarantined };
  }
  const indexed = data as IndexedCsvSource;
  return {
    rowsRead: indexed.index.numRows,
    rowsUsed: indexed.numSamples,
    rowsSkipped: quarantined ? 0 : indexed.badRows,
    rowsQuarantined: quarantined ? indexed.badRows : 0,
    index: indexed.index.origins.includes("built") ? "built" : indexed.index.origins[0],
  };
}
