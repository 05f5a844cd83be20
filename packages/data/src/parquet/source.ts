import { resolveDataFiles } from "../formats/files.ts";
import type { GroupedFile } from "../table/grouped.ts";
import { fileBytes } from "../table/node-bytes.ts";
import { type GroupedSource, type GroupedSourceOptions, openGroupedSource } from "../table/source.ts";
import { openParquet } from "./file.ts";

/** Opens a Parquet file on disk (see `openParquet`); `close` releases its handle. */
export async function openParquetFile(file: string): Promise<GroupedFile> {
  const bytes = await fileBytes(file);
  try {
    return { ...(await openParquet(file, bytes)), close: () => bytes.close() };
  } catch (error) {
    await bytes.close();
    throw error;
  }
}

/**
 * Opens Parquet files (`.parquet`; directories and globs as for CSV) as a random-access block
 * source with the semantics of `openIndexedCsv` (see `openGroupedSource`): row groups give the
 * random access. Throws `DataError` for bad options or data, as `openIndexedCsv` does.
 * @example const source = await openParquetSource({ paths: "flights.parquet", schema })
 */
export async function openParquetSource(options: GroupedSourceOptions): Promise<GroupedSource> {
  return openGroupedSource(options, await resolveDataFiles(options.paths, "parquet"), openParquetFile);
}
