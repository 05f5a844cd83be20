import {
  type AsyncBuffer,
  type FileMetaData,
  parquetMetadataAsync,
  parquetRead,
  parquetSchema,
} from "hyparquet";
import { DataError } from "../errors.ts";
import { cellText } from "../table/cells.ts";
import type { GroupedFile } from "../table/grouped.ts";

/**
 * A Parquet file through hyparquet (pure JavaScript, so the same reader runs in browsers): its
 * footer is read once, each row group on demand. `bytes` is any random-access byte reader (a
 * file on disk, a browser `File`, an HTTP range reader). Throws `DataError` for a file that is
 * not Parquet or uses a feature hyparquet cannot read (nested columns, an unsupported codec).
 * @example const table = await openParquet("flights.parquet", await fileBytes("flights.parquet"))
 */
export async function openParquet(file: string, bytes: AsyncBuffer): Promise<GroupedFile> {
  let metadata: FileMetaData;
  try {
    metadata = await parquetMetadataAsync(bytes);
  } catch (error) {
    throw new DataError({
      code: "io",
      file,
      reason: `not a readable Parquet file: ${(error as Error).message}`,
      cause: error,
    });
  }
  const tree = parquetSchema(metadata);
  const nested = tree.children.find((child) => child.children.length > 0);
  if (nested !== undefined) {
    throw new DataError({
      code: "bad-schema",
      file,
      reason: `column ${JSON.stringify(nested.element.name)} is nested (a struct, list or map): only flat columns can be read as features`,
    });
  }
  const columns = tree.children.map((child) => child.element.name);
  const groupRows = metadata.row_groups.map((group) => Number(group.num_rows));
  const groupStart = [0];
  for (const rows of groupRows) groupStart.push((groupStart.at(-1) as number) + rows);
  return {
    file,
    columns,
    groupRows,
    async readGroup(g: number) {
      const rowStart = groupStart[g] as number;
      const rowEnd = groupStart[g + 1] as number;
      let rows: unknown[][] = [];
      try {
        await parquetRead({
          file: bytes,
          metadata,
          rowStart,
          rowEnd,
          onComplete: (read) => {
            rows = read;
          },
        });
      } catch (error) {
        throw new DataError({
          code: "io",
          file,
          reason: `cannot read row group ${g} (rows ${rowStart + 1}–${rowEnd}): ${(error as Error).message}`,
          cause: error,
        });
      }
      if (rows.length !== rowEnd - rowStart) {
        throw new DataError({
          code: "count-mismatch",
          file,
          reason: `row group ${g} should hold ${rowEnd - rowStart} rows, read ${rows.length}`,
        });
      }
      return (r: number) => (rows[r] as unknown[]).map(cellText);
    },
    close: async () => {},
  };
}
