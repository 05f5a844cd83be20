import { type InferSchemaOptions, inferSchemaFrom } from "../csv/infer.ts";
import type { Schema } from "../schema/types.ts";
import { type DataFormat, detectFormat, resolveDataFiles } from "./files.ts";
import { readRows } from "./rows.ts";

export interface InferDataSchemaOptions extends InferSchemaOptions {
  /** The data's format; unset or `auto`: from the file extensions (see `detectFormat`). */
  format?: DataFormat | "auto";
}

/**
 * `inferSchema` for data in any supported format (CSV, JSON Lines, Parquet, Arrow IPC): the same
 * one-pass inference and fit over the rows the format's reader gives. Throws `DataError` as
 * `inferSchema` does, and for an unknown or mixed format.
 * @example const schema = await inferDataSchema({ paths: "flights.parquet", label: "delayed" })
 */
export async function inferDataSchema(options: InferDataSchemaOptions): Promise<Schema> {
  const format = await detectFormat(options.paths, options.format);
  if (format === "csv") return inferSchemaFrom(options, null);
  const files = await resolveDataFiles(options.paths, format);
  return inferSchemaFrom(options, {
    files,
    rows: (onFile) => readRows(format, files, { onFile, chunkBytes: options.chunkBytes }),
  });
}
