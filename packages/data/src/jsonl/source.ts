import { budgetOf } from "../csv/budget.ts";
import { checkNumSamples, checkPassEnd, encodeRows } from "../csv/encode-rows.ts";
import { checkPolicy, RowTally } from "../csv/policy.ts";
import { RejectsFile } from "../csv/rejects.ts";
import type { CsvSource, CsvSourceOptions } from "../csv/source.ts";
import { resolveDataFiles } from "../formats/files.ts";
import { type IndexedCsvSource, type IndexedCsvSourceOptions, openIndexedRows } from "../row-index/source.ts";
import { SchemaEncoder } from "../schema/encode.ts";
import { parseSchema } from "../schema/json.ts";
import type { Sample } from "../types.ts";
import { JsonlDecoder } from "./decode.ts";
import { readJsonlRows } from "./read.ts";

/** Options of a JSON Lines source: those of a CSV source, less the CSV layout (header, delimiter, parser). */
export type JsonlSourceOptions = Omit<CsvSourceOptions, "header" | "columns" | "delimiter" | "parser">;
export type IndexedJsonlSourceOptions = Omit<
  IndexedCsvSourceOptions,
  "header" | "columns" | "delimiter" | "parser"
>;

/**
 * Opens JSON Lines files (`.jsonl`, `.ndjson`; directories and globs as for CSV) as a
 * random-access block source through a row index of line offsets (sidecars `*.lineidx`), with
 * the semantics of `openIndexedCsv`: exact numSamples, bad-record policies decided once, block
 * reads, full shuffle and position-only resume. Each record is read as the schema's columns (a
 * key a record lacks is a missing value). Throws `DataError` as `openIndexedCsv` does; gzip files
 * are `not-indexable` (stream them with `jsonlSource`).
 * @example const source = await openIndexedJsonl({ paths: "events.jsonl", schema })
 */
export async function openIndexedJsonl(options: IndexedJsonlSourceOptions): Promise<IndexedCsvSource> {
  const schema = parseSchema(options.schema);
  const files = await resolveDataFiles(options.paths, "jsonl");
  return openIndexedRows(
    { ...options, schema },
    {
      records: "lines",
      files,
      rows: (onFile) =>
        readJsonlRows(files, { columns: schema.columns, onFile, chunkBytes: options.chunkBytes }),
      decoder: (settings) => new JsonlDecoder(settings),
    },
  );
}

/**
 * Streams JSON Lines files (plain or `.gz`) as samples, one full pass per `stream()` call, in file
 * order with bounded memory: the JSON Lines counterpart of `csvSource`, with the same bad-record
 * policies, counts and errors (`file:line: reason`).
 * @example const source = jsonlSource({ paths: "events.jsonl.gz", schema, onBadRecord: "skip" })
 */
export function jsonlSource(options: JsonlSourceOptions): CsvSource {
  const schema = parseSchema(options.schema);
  const rejectsPath = options.rejects ?? null;
  const policy = checkPolicy(options.onBadRecord ?? "error", rejectsPath);
  const numSamples = checkNumSamples(options.numSamples);
  const rejects = policy === "quarantine" ? new RejectsFile(rejectsPath as string, ",") : null;
  const tally = new RowTally(
    policy,
    rejects,
    budgetOf(options.maxBadRows, policy, null),
    options.onReject ?? null,
  );
  let files: Promise<string[]> | null = null;
  const resolveFiles = (): Promise<string[]> => {
    files ??= resolveDataFiles(options.paths, "jsonl");
    return files;
  };

  async function* stream(): AsyncGenerator<Sample> {
    const list = await resolveFiles();
    const encoder = new SchemaEncoder(schema, { requireLabel: options.requireLabel, unseen: tally.unseen });
    const pass = tally.startPass();
    await rejects?.begin();
    try {
      const rows = readJsonlRows(list, {
        columns: schema.columns,
        chunkBytes: options.chunkBytes,
        onFile: (info) => encoder.bind(info.columns, { file: info.file, line: null }),
      });
      yield* encodeRows(rows, encoder, schema.numFeatures, tally, pass);
    } finally {
      await rejects?.close();
    }
    tally.endPass(pass);
    checkPassEnd(pass, list.length === 1 ? (list[0] as string) : null, numSamples);
  }

  return {
    numFeatures: schema.numFeatures,
    numSamples,
    schema,
    stream,
    files: resolveFiles,
    summary: () => tally.summary(),
  };
}
