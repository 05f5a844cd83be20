import {
  type CsvSource,
  type DataFormat,
  detectFormat,
  openDataSource,
  parseByteSize,
  parseMaxBadRows,
  planBlocks,
  resolveDataFiles,
  type SampleSource,
  type Schema,
  streamDataSource,
  subsetBlocks,
} from "@stepwise/data/internals";
import { UsageError } from "../errors.ts";
import type { ShuffleFlag } from "../flags.ts";
import type { TrainConfig } from "./config.ts";
import { splitMembers, splitSource } from "./split.ts";

/** The sources a run reads, from its config and fitted schema. */
export interface TrainingSources {
  train: SampleSource;
  validation: SampleSource | null;
  /** The training CSV data as a whole (before any split): its files and read summary. */
  data: CsvSource;
}

/** Header and delimiter settings of a run's CSV files. */
export function csvFormat(config: TrainConfig) {
  return {
    header: config.header,
    ...(config.delimiter !== undefined ? { delimiter: config.delimiter } : {}),
  };
}

/** The shuffle of a config; configs saved before `shuffle` existed always streamed with a buffer. */
export function shuffleOf(config: TrainConfig): ShuffleFlag {
  return config.shuffle ?? "buffer";
}

/** A data-package check on a flag's value, its `DataError` rewritten as a `UsageError` naming the flag. */
function checkFlag<T>(flag: string, check: () => T): T {
  try {
    return check();
  } catch (error) {
    throw asFlagError(flag, error);
  }
}

/**
 * The data package names its options as in code (`maxBadRows must be …`, `memoryBudget 1 MiB is
 * too small …`); the error about the option behind `flag` becomes a `UsageError` naming the flag,
 * any other error stays as it is.
 */
function asFlagError(flag: string, error: unknown): unknown {
  const option = flag.slice(2).replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
  const reason = (error as { reason?: unknown }).reason;
  if (error instanceof Error && error.name === "DataError" && typeof reason === "string") {
    if (reason.startsWith(option) || reason.startsWith(flag))
      return new UsageError(reason.replace(option, flag));
    // "too many bad rows: 3 of 20 rows skipped, more than maxBadRows 2; first: …"
    if ((error as { code?: unknown }).code === "too-many-bad-rows")
      error.message = error.message.replace(`than maxBadRows`, "than --max-bad-rows");
  }
  return error;
}

/**
 * Checks `--memory-budget` and `--max-bad-rows` before any data is read: a byte count the data
 * package reads, large enough for the read buffers and one block of samples (the row index comes
 * on top and is checked once it is built), and a count or share of bad rows. Throws `UsageError`.
 */
export function checkReadingFlags(config: TrainConfig): void {
  const { memoryBudget, maxBadRows } = config;
  if (memoryBudget !== undefined) {
    const bytes = checkFlag("--memory-budget", () => parseByteSize(memoryBudget, "--memory-budget"));
    try {
      planBlocks({ memoryBudget: bytes, numFeatures: 1, indexBytes: 0 });
    } catch (error) {
      const least = /give at least (.+)$/.exec(String((error as { reason?: unknown }).reason))?.[1];
      throw new UsageError(
        `--memory-budget ${memoryBudget} is too small for the read buffers and a block of rows${least ? `; give at least ${least}` : ""} plus 4 bytes per data row for the row index`,
      );
    }
  }
  if (maxBadRows !== undefined) checkFlag("--max-bad-rows", () => parseMaxBadRows(maxBadRows));
}

/** The file format of a data spec: `--format`, else by extension. Throws `DataError` for mixed formats. */
export function formatOf(config: Pick<TrainConfig, "format">, data: string): Promise<DataFormat> {
  return detectFormat(data, config.format ?? "auto");
}

/** The first gzip-compressed file of a data spec: such data can only be streamed. */
async function gzipFileOf(data: string, format: DataFormat): Promise<string | undefined> {
  return (await resolveDataFiles(data, format)).find((file) => /\.gz$/i.test(file));
}

/**
 * Checks the reading flags and decides the shuffle of a new run: as given, else `full` when every
 * data file can be indexed (plain CSV) and `buffer` for gzip files or when `--shuffle-buffer` is
 * given. Throws `UsageError` for `full` or `--memory-budget` on gzip data (no byte offsets to jump
 * to), and the data package's `DataError` when the data files cannot be found.
 */
export async function resolveShuffle(config: TrainConfig): Promise<ShuffleFlag> {
  checkReadingFlags(config);
  const format = await formatOf(config, config.data);
  const gzip = await gzipFileOf(config.data, format);
  if ((format === "parquet" || format === "arrow") && config.shuffle === "buffer") {
    throw new UsageError(
      `--shuffle buffer: ${format} data is read through its row groups, which give random access; use --shuffle full or none`,
    );
  }
  if (gzip !== undefined && config.shuffle === "full") {
    throw new UsageError(
      `--shuffle full: ${gzip} is gzip-compressed and cannot be indexed for random access; use --shuffle buffer (or decompress it)`,
    );
  }
  const shuffle =
    config.shuffle ?? (gzip !== undefined || config.shuffleBuffer !== undefined ? "buffer" : "full");
  if (gzip !== undefined && config.memoryBudget !== undefined) {
    throw new UsageError(
      `--memory-budget: ${gzip} is gzip-compressed, so it is streamed, not indexed; drop --memory-budget (--shuffle-buffer sets the buffer's size)`,
    );
  }
  return shuffle;
}

/**
 * Streams only: a bad-row budget the fitting pass already saw exceeded fails now, before any
 * training, by reading the data up to the row that breaks it (the data package's error names the
 * count and the first bad rows). An indexed source checks its budget itself when it opens.
 */
async function checkBudgetBeforeTraining(source: CsvSource, config: TrainConfig, schema: Schema) {
  if (config.maxBadRows === undefined) return;
  const { count, fraction } = parseMaxBadRows(config.maxBadRows);
  const allowed = count ?? Math.floor((fraction as number) * schema.fit.rowsRead);
  if (schema.fit.rowsSkipped <= allowed) return;
  try {
    for await (const _ of source.stream()) {
      // Read for the budget's error only.
    }
  } catch (error) {
    throw asFlagError("--max-bad-rows", error);
  }
}

/**
 * The training and validation sources of a run, from its config and fitted schema. `full` and
 * `none` read the data through its row index or row groups (`openDataSource`, within `--memory-budget`), and a
 * `--validation-split` makes both sides block subsets of it, so both stay random access; `buffer`
 * (and `none` on gzip data) streams CSV or JSON Lines files (`streamDataSource`). Plain inputs only, so the pipeline
 * worker builds the same training source on its own thread. Throws `UsageError` for a memory
 * budget too small for the row index, and the data package's `DataError` for bad data or more
 * bad rows than `--max-bad-rows`.
 */
export async function trainingSources(config: TrainConfig, schema: Schema): Promise<TrainingSources> {
  const format = csvFormat(config);
  const dataFormat = await formatOf(config, config.data);
  const numSamples = schema.fit.rowsUsed;
  const options = {
    paths: config.data,
    schema,
    ...format,
    onBadRecord: config.onBadRecord,
    rejects: config.rejects ?? null,
    ...(config.maxBadRows !== undefined ? { maxBadRows: config.maxBadRows } : {}),
    numSamples,
  };
  const split =
    config.validationSplit === undefined
      ? null
      : { numSamples, fraction: config.validationSplit, seed: config.seed, mode: config.splitMode };
  // Validation rows are scored, not fitted: bad ones stop the run whatever the training policy.
  const validation =
    config.validationData === undefined
      ? null
      : await streamDataSource(await formatOf(config, config.validationData), {
          paths: config.validationData,
          schema,
          ...format,
        });
  const shuffle = shuffleOf(config);
  // `none` on gzip data streams the files in order; `full` on it was refused by resolveShuffle.
  const streamed = dataFormat === "csv" || dataFormat === "jsonl";
  if (
    !streamed ||
    shuffle === "full" ||
    (shuffle === "none" && (await gzipFileOf(config.data, dataFormat)) === undefined)
  ) {
    const data = await openDataSource(dataFormat, {
      ...options,
      ...(config.memoryBudget !== undefined ? { memoryBudget: config.memoryBudget } : {}),
    }).catch((error: unknown) => {
      // A budget too small for this data's row index is only known once the index is built.
      throw asFlagError("--max-bad-rows", asFlagError("--memory-budget", error));
    });
    if (split === null) return { train: data, validation, data };
    const members = splitMembers(split);
    return {
      train: subsetBlocks(data, members.train),
      validation: subsetBlocks(data, members.validation),
      data,
    };
  }
  const data = await streamDataSource(dataFormat, options);
  await checkBudgetBeforeTraining(data, config, schema);
  if (split === null) return { train: data, validation, data };
  return { ...splitSource(data, split), data };
}
