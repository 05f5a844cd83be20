import type { Schema } from "../schema/types.ts";
import { resolveCsvFiles } from "./files.ts";
import { type InferSchemaOptions, inferSchemaFrom } from "./infer-rows.ts";
import { readCsvRows } from "./read.ts";
import type { CsvFileInfo } from "./rows.ts";

export type { InferSchemaOptions } from "./infer-rows.ts";

/**
 * Infers the schema of CSV training data and fits its statistics in ONE streaming pass: the
 * first `sampleRows` rows (held in memory) decide the column kinds, then every usable row (or
 * those `includeSample` selects) feeds the normalization statistics (Welford), categorical
 * vocabularies and label classes. `schema.fit.rowsUsed` is the number of usable samples,
 * `schema.fit.samplesFitted` how many were fitted. Throws `DataError`: structural problems, a
 * bad record under `error`, no usable rows, or no fitted sample.
 * @example const schema = await inferSchema({ paths: "iris.csv", label: "species" })
 * @example // statistics from the first 80 usable samples only
 * await inferSchema({ paths: "iris.csv", label: "species", includeSample: (p) => p < 80 })
 */
export async function inferSchema(options: InferSchemaOptions): Promise<Schema> {
  const files = await resolveCsvFiles(options.paths);
  const read = (onFile: (info: CsvFileInfo) => void) =>
    readCsvRows(files, {
      header: options.header,
      columns: options.columns,
      delimiter: options.delimiter,
      chunkBytes: options.chunkBytes,
      parser: options.parser,
      onFile,
    });
  return inferSchemaFrom(read, files, options);
}
