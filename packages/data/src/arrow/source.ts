import { open } from "node:fs/promises";
import { DataError } from "../errors.ts";
import { resolveDataFiles } from "../formats/files.ts";
import type { GroupedFile } from "../table/grouped.ts";
import { type GroupedSource, type GroupedSourceOptions, openGroupedSource } from "../table/source.ts";
import { openArrow } from "./file.ts";

/** Opens an Arrow IPC file on disk (see `openArrow`); `close` releases its handle. */
export async function openArrowFile(file: string): Promise<GroupedFile> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(file, "r");
  } catch (error) {
    throw new DataError({ code: "file-not-found", file, reason: "no such file", cause: error });
  }
  try {
    const table = await openArrow(file, handle);
    return {
      ...table,
      close: async () => {
        await table.close().catch(() => {});
        await handle.close().catch(() => {});
      },
    };
  } catch (error) {
    await handle.close().catch(() => {});
    throw error;
  }
}

/**
 * Opens Arrow IPC files (`.arrow`, `.feather`) as a random-access block source with the semantics
 * of `openIndexedCsv` (see `openGroupedSource`): record batches give the random access. Throws
 * `DataError` for bad options or data, and for Arrow streams (`not-indexable`).
 * @example const source = await openArrowSource({ paths: "flights.arrow", schema })
 */
export async function openArrowSource(options: GroupedSourceOptions): Promise<GroupedSource> {
  return openGroupedSource(options, await resolveDataFiles(options.paths, "arrow"), openArrowFile);
}
