// The CSV sources for browsers: the same options, samples, errors and counts as the Node sources
// (the same splitter, line encoder, row index and block reader underneath), reading Blobs, Files
// and URLs instead of paths. No rejects file: "quarantine" is refused, `onReject` reports rows.
import type { ByteInput } from "../bytes/input.ts";
import { type WebData, webInput } from "../bytes/web-input.ts";
import { budgetOf } from "../csv/budget.ts";
import { csvChunks } from "../csv/chunks.ts";
import { checkNumSamples } from "../csv/encode-rows.ts";
import { fastRecords } from "../csv/fast-records.ts";
import { resolveFormat } from "../csv/format.ts";
import { fitSchemaFrom, type SchemaFitOptions } from "../csv/infer-rows.ts";
import { type BadRecordPolicy, checkPolicy, RowTally } from "../csv/policy.ts";
import { type CsvFileInfo, readRows } from "../csv/rows.ts";
import type { CsvSource, CsvSourceOptions } from "../csv/source.ts";
import { DataError } from "../errors.ts";
import { samplesOf } from "../pipeline/chunk.ts";
import { type ByteSize, DEFAULT_MEMORY_BUDGET, parseByteSize } from "../row-index/memory.ts";
import { type IndexedCsvSource, openIndexedInputs } from "../row-index/open.ts";
import { indexInputs } from "../row-index/rows.ts";
import { parseSchema } from "../schema/json.ts";
import type { Schema } from "../schema/types.ts";

export type { WebData } from "../bytes/web-input.ts";

/** One dataset file or several, in reading order: Blobs/Files or URLs. */
export type WebDataList = WebData | readonly WebData[];

/** `csvSource`'s options in a browser: `data` instead of `paths`; no rejects file, parser always `fast`. */
export interface WebCsvSourceOptions extends Omit<CsvSourceOptions, "paths" | "rejects" | "parser"> {
  data: WebDataList;
}

/** `openIndexedCsv`'s options in a browser: the index is held in memory (4 bytes a row). */
export interface WebIndexedCsvSourceOptions extends WebCsvSourceOptions {
  /** Bytes the source may hold (index, read buffers, two blocks). Default 256 MiB. */
  memoryBudget?: ByteSize;
  /** Longest record accepted, in bytes. Default 16 Mi. */
  maxRecordChars?: number;
}

/** `inferSchema`'s options in a browser. */
export interface WebInferSchemaOptions extends SchemaFitOptions {
  data: WebDataList;
  chunkBytes?: number;
}

function inputsOf(data: WebDataList): ByteInput[] {
  const list = Array.isArray(data) ? (data as readonly WebData[]) : [data as WebData];
  if (list.length === 0) throw new DataError({ code: "options", reason: "data lists no file" });
  return list.map(webInput);
}

function webPolicy(policy: unknown): BadRecordPolicy {
  if (policy === "quarantine") {
    throw new DataError({
      code: "options",
      reason:
        'onBadRecord "quarantine" writes a rejects file, which a browser cannot: use "skip" with onReject',
    });
  }
  return checkPolicy(policy ?? "error", null);
}

/**
 * Streams CSV Blobs, Files or URLs as samples encoded by `schema`, one full pass per `stream()`
 * call, with bounded memory (URLs are fetched as streams, `.gz` decompressed on the way). Same
 * samples, order, bad-record decisions, counts and errors as the Node `csvSource`. Throws
 * `DataError` as it does, and for "quarantine" (no rejects file in a browser).
 * @example const source = csvSource({ data: fileInput.files[0], schema, onBadRecord: "skip" })
 */
export function csvSource(options: WebCsvSourceOptions): CsvSource {
  const format = resolveFormat(options);
  const schema = parseSchema(options.schema);
  const policy = webPolicy(options.onBadRecord);
  const numSamples = checkNumSamples(options.numSamples);
  const inputs = inputsOf(options.data);
  const tally = new RowTally(
    policy,
    null,
    budgetOf(options.maxBadRows, policy, null),
    options.onReject ?? null,
  );
  const chunks = () =>
    csvChunks({
      inputs,
      format,
      schema,
      requireLabel: options.requireLabel,
      chunkBytes: options.chunkBytes,
      tally,
      rejects: null,
      numSamples,
    });
  return {
    numFeatures: schema.numFeatures,
    numSamples,
    schema,
    // The chunked pass is proven equal to the per-sample one; here it is the only one.
    stream: () => samplesOf(chunks()),
    chunks,
    files: async () => inputs.map((input) => input.name),
    summary: () => tally.summary(),
  };
}

/**
 * Opens CSV Blobs, Files or URLs as a random-access source for `shuffle: "full"`: one scan
 * builds the row index in memory, rows are then read by `Blob.slice` or HTTP Range requests.
 * Same numbering, samples and errors as the Node `openIndexedCsv`. Throws `DataError` as it
 * does, for gzip data (`not-indexable`) and for a URL whose server ignores Range requests.
 * @example const source = await openIndexedCsv({ data: file, schema }) // then createPipeline({ source, shuffle: "full", … })
 */
export async function openIndexedCsv(options: WebIndexedCsvSourceOptions): Promise<IndexedCsvSource> {
  const format = resolveFormat(options);
  const schema = parseSchema(options.schema);
  const policy = webPolicy(options.onBadRecord);
  const memoryBudget = parseByteSize(options.memoryBudget ?? DEFAULT_MEMORY_BUDGET);
  budgetOf(options.maxBadRows, policy, null); // option mistakes fail before the data is indexed
  const inputs = inputsOf(options.data);
  // Ranges first: a server without Range support fails before the whole file is scanned.
  for (const input of inputs) if (!input.gzip) await (await input.openRanges?.())?.close();
  const index = await indexInputs(inputs, {
    header: format.header,
    ...(options.chunkBytes !== undefined ? { chunkBytes: options.chunkBytes } : {}),
  });
  return openIndexedInputs({
    inputs,
    index,
    format,
    schema,
    policy,
    memoryBudget,
    rejects: null,
    records: fastRecords,
    options,
  });
}

/**
 * Infers a schema from CSV Blobs, Files or URLs exactly as the Node `inferSchema` does from
 * files: kinds from every row, a second read when they differ from those of the first
 * `sampleRows` rows (a URL is then fetched again). Throws `DataError` as it does.
 * @example const schema = await inferSchema({ data: file, label: "species" })
 */
export async function inferSchema(options: WebInferSchemaOptions): Promise<Schema> {
  const inputs = inputsOf(options.data);
  const format = resolveFormat(options);
  return fitSchemaFrom(options, () => ({
    files: inputs.map((input) => input.name),
    rows: (onFile: (info: CsvFileInfo) => void) =>
      readRows(
        inputs,
        format,
        { onFile, chunkBytes: options.chunkBytes ?? 1024 * 1024, maxRecordChars: 16 * 2 ** 20 },
        fastRecords,
      ),
  }));
}
