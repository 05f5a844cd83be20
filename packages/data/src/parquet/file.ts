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
      const rows = rowEnd - rowStart;
      // Columnar: each column chunk as decoded (typed arrays for numbers), no row objects.
      const values: ArrayLike<unknown>[] = columns.map(() => []);
      const filled = columns.map(() => 0);
      const position = new Map(columns.map((name, c) => [name, c]));
      try {
        await parquetRead({
          file: bytes,
          metadata,
          rowStart,
          rowEnd,
          onChunk: ({ columnName, columnData, rowStart: start, rowEnd: end }) => {
            const c = position.get(columnName) as number;
            if (start <= rowStart && end >= rowEnd && start === rowStart && columnData.length === rows) {
              values[c] = columnData as ArrayLike<unknown>;
              filled[c] = rows;
              return;
            }
            let column = values[c] as unknown[];
            if (!Array.isArray(column) || column.length !== rows) {
              column = Array.from({ length: rows }, (_, r) => (values[c] as ArrayLike<unknown>)[r]);
              values[c] = column;
            }
            for (let at = Math.max(start, rowStart); at < Math.min(end, rowEnd); at++) {
              column[at - rowStart] = (columnData as ArrayLike<unknown>)[at - start];
              filled[c] = (filled[c] as number) + 1;
            }
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
      const short = filled.findIndex((n) => n !== rows);
      if (short >= 0) {
        throw new DataError({
          code: "count-mismatch",
          file,
          reason: `row group ${g} should hold ${rows} rows of ${JSON.stringify(columns[short])}, read ${filled[short]}`,
        });
      }
      return {
        cells: (r: number) => values.map((column) => cellText(column[r])),
        values,
      };
    },
    close: async () => {},
  };
}
