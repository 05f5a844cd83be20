import { type InferSchemaOptions, inferSchemaFrom } from "../csv/infer.ts";
import { cachedFit } from "../row-index/schema-cache.ts";
import type { Schema } from "../schema/types.ts";
import { type DataFormat, detectFormat, resolveDataFiles } from "./files.ts";
import { readRows } from "./rows.ts";

export interface InferDataSchemaOptions extends InferSchemaOptions {
  /** The data's format; unset or `auto`: from the file extensions (see `detectFormat`). */
  format?: DataFormat | "auto";
  /**
   * `true`: reuse the schema of an earlier fit of the same unchanged files with the same options,
   * cached in `.stepwise-index/` beside the data (or `indexDir`), and cache this one; checked
   * against every file's path, size, modification time and content fingerprint before use.
   * With `includeSample`, only when `includeSampleKey` names which samples it keeps. Default false.
   */
  cache?: boolean;
  /** Folder of the cache entries (with `cache`). Default: `.stepwise-index/` beside the first file. */
  indexDir?: string | null;
  /** With `includeSample` and `cache`: a string that is equal exactly when `includeSample` keeps the same samples. */
  includeSampleKey?: string;
}

/** The options that can change a fit's result, as plain JSON (the cache key). */
function fitOptions(options: InferDataSchemaOptions, format: DataFormat) {
  const { paths, chunkBytes, includeSample, cache, indexDir, ...rest } = options;
  return { ...rest, format };
}

/**
 * `inferSchema` for data in any supported format (CSV, JSON Lines, Parquet, Arrow IPC): the same
 * one-pass inference and fit over the rows the format's reader gives; with `cache`, read back from
 * an earlier identical fit when nothing changed. Throws `DataError` as `inferSchema` does, and for
 * an unknown or mixed format.
 * @example const schema = await inferDataSchema({ paths: "flights.parquet", label: "delayed" })
 */
export async function inferDataSchema(options: InferDataSchemaOptions): Promise<Schema> {
  const format = await detectFormat(options.paths, options.format);
  const cache =
    options.cache === true && (options.includeSample === undefined || options.includeSampleKey !== undefined);
  if (format === "csv" && !cache) return inferSchemaFrom(options, null);
  const files = await resolveDataFiles(options.paths, format);
  const fit = () =>
    format === "csv"
      ? inferSchemaFrom(options, null)
      : inferSchemaFrom(options, {
          files,
          rows: (onFile) => readRows(format, files, { onFile, chunkBytes: options.chunkBytes }),
        });
  if (!cache) return fit();
  const key = { files, options: fitOptions(options, format), indexDir: options.indexDir ?? null };
  return (await cachedFit(key, fit)).schema;
}
