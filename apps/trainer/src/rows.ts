import { access } from "node:fs/promises";
import { UsageError } from "./errors.ts";

/** Number of data rows in a CSV file, directory or glob (header excluded unless `header` is false). */
export async function countDataRows(
  spec: string,
  csv: { header: boolean; delimiter?: string | undefined },
  flag: string,
): Promise<number> {
  const { countRows } = await import("@stepwise/data");
  if (!/[*?[{]/.test(spec)) {
    await access(spec).catch(() => {
      throw new UsageError(`${flag} ${spec}: no such file or directory`);
    });
  }
  return countRows(spec, csv);
}
