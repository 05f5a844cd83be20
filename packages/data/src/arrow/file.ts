import { type RecordBatch, RecordBatchReader } from "apache-arrow";
import { DataError } from "../errors.ts";
import { cellText } from "../table/cells.ts";
import type { GroupedFile } from "../table/grouped.ts";

type FileReader = Awaited<ReturnType<typeof RecordBatchReader.from>> & {
  readRecordBatch(index: number): Promise<RecordBatch | null> | RecordBatch | null;
  numRecordBatches: number;
};

/**
 * An Arrow IPC file (Feather v2) read through `apache-arrow`: record batches are the groups, each
 * read on demand through the file's footer. Arrow's footer does not store batch lengths, so
 * opening reads each batch once to count its rows. `source` is what `RecordBatchReader.from`
 * accepts with random access: a Node file handle, or the file's bytes. Throws `DataError` for a
 * stream (not file) format, which has no footer to jump from, or a file that is not Arrow.
 */
export async function openArrow(
  file: string,
  source: Parameters<typeof RecordBatchReader.from>[0],
): Promise<GroupedFile> {
  let reader: FileReader;
  try {
    reader = (await RecordBatchReader.from(source as never)) as unknown as FileReader;
    await reader.open();
  } catch (error) {
    throw new DataError({
      code: "io",
      file,
      reason: `not a readable Arrow IPC file: ${(error as Error).message}`,
      cause: error,
    });
  }
  if (!reader.isFile()) {
    throw new DataError({
      code: "not-indexable",
      file,
      reason:
        "an Arrow IPC stream has no footer to reach record batches from: write the Arrow file format (Feather v2)",
    });
  }
  const columns = reader.schema.fields.map((field) => field.name);
  const batch = async (g: number): Promise<RecordBatch> => {
    const read = await reader.readRecordBatch(g);
    if (read === null) {
      throw new DataError({
        code: "count-mismatch",
        file,
        reason: `record batch ${g} is missing: the file changed while read`,
      });
    }
    return read;
  };
  const groupRows: number[] = [];
  for (let g = 0; g < reader.numRecordBatches; g++) groupRows.push((await batch(g)).numRows);
  return {
    file,
    columns,
    groupRows,
    async readGroup(g: number) {
      const read = await batch(g);
      const vectors = columns.map((_, c) => read.getChildAt(c));
      // Plain number columns as their typed arrays (one copy per column, no per-value calls).
      const values = vectors.map((vector) => {
        const array = vector?.nullCount === 0 ? vector.toArray() : null;
        return ArrayBuffer.isView(array) &&
          !(array instanceof BigInt64Array || array instanceof BigUint64Array)
          ? (array as unknown as ArrayLike<number>)
          : { length: read.numRows, get: (r: number) => vector?.get(r) };
      });
      const at = (c: number, r: number): unknown => {
        const column = values[c] as ArrayLike<unknown> & { get?: (r: number) => unknown };
        return column.get ? column.get(r) : column[r];
      };
      return {
        cells: (r: number) => columns.map((_, c) => cellText(at(c, r))),
        values: columns.map((_, c) => {
          const column = values[c] as ArrayLike<unknown> & { get?: (r: number) => unknown };
          if (!column.get) return column;
          const get = column.get;
          return Array.from({ length: read.numRows }, (_, r) => get(r));
        }),
      };
    },
    close: async () => {
      await reader.cancel();
    },
  };
}
