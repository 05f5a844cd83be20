import { access } from "node:fs/promises";
import { UsageError } from "./errors.ts";

/**
 * Number of data rows in a data file, directory or glob of any format (`format`, else by
 * extension; CSV header excluded unless `header` is false).
 */
export async function countDataRows(
  spec: string,
  csv: { header: boolean; delimiter?: string | undefined; format?: string | undefined },
  flag: string,
): Promise<number> {
  const data = await import("@stepwise/data/internals");
  if (!/[*?[{]/.test(spec)) {
    await access(spec).catch(() => {
      throw new UsageError(`${flag} ${spec}: no such file or directory`);
    });
  }
  const format = await data.detectFormat(spec, csv.format ?? "auto");
  const { header, delimiter } = csv;
  return (
    await data.countDataRows(format, spec, { header, ...(delimiter !== undefined ? { delimiter } : {}) })
  ).numRows;
}
