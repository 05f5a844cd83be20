import type { Schema } from "../schema/types.ts";
import { resolveCsvFiles } from "./files.ts";
import { fitSchemaFrom, type InferSchemaOptions, type RowReading } from "./infer-rows.ts";
import { readCsvRows } from "./read.ts";

export type { InferSchemaOptions, RowReading } from "./infer-rows.ts";

/**
 * Infers the schema of CSV training data and fits its statistics. The column kinds are decided
 * from tallies of every row of every file (see `decideKind`: a numeric column with a few values
 * that are not numbers stays numeric, and those rows are bad records); the statistics
 * (Welford), categorical vocabularies and label classes are fitted in the same streaming pass,
 * with the kinds decided after the first `sampleRows` rows. When the kinds of the whole data
 * differ from those (a column that changes character further down), a second pass refits with
 * the final kinds, so the result never depends on `sampleRows`, only the time does.
 * `schema.fit.rowsUsed` is the number of usable samples, `schema.fit.samplesFitted` how many
 * were fitted. Under `error`, the first bad record (by the final kinds) is reported once the
 * pass has decided the kinds. Throws `DataError`: structural problems, a bad record under
 * `error`, no usable rows, or no fitted sample.
 * @example const schema = await inferSchema({ paths: "iris.csv", label: "species" })
 * @example // statistics from the first 80 usable samples only
 * await inferSchema({ paths: "iris.csv", label: "species", includeSample: (p) => p < 80 })
 */
export async function inferSchema(options: InferSchemaOptions): Promise<Schema> {
  return inferSchemaFrom(options, null);
}

/** `inferSchema` over the rows `reading` gives (another format), or CSV when it is null. */
export async function inferSchemaFrom(
  options: InferSchemaOptions,
  reading: RowReading | null,
): Promise<Schema> {
  return fitSchemaFrom(options, async () => {
    if (reading !== null) return reading;
    const files = await resolveCsvFiles(options.paths);
    return {
      files,
      rows: (onFile) =>
        readCsvRows(files, {
          header: options.header,
          columns: options.columns,
          delimiter: options.delimiter,
          chunkBytes: options.chunkBytes,
          parser: options.parser,
          onFile,
        }),
    };
  });
}
