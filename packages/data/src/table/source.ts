import { budgetOf } from "../csv/budget.ts";
import { resolveFormat } from "../csv/format.ts";
import { checkPolicy, RowTally } from "../csv/policy.ts";
import { RejectsFile } from "../csv/rejects.ts";
import { DataError } from "../errors.ts";
import { readInBlocks, type SampleBlock } from "../pipeline/block.ts";
import { badRowRead } from "../row-index/decode.ts";
import {
  type BlockPlan,
  DEFAULT_MEMORY_BUDGET,
  formatBytes,
  parseByteSize,
  SAMPLE_OVERHEAD_BYTES,
} from "../row-index/memory.ts";
import type { IndexedCsvSource, IndexedCsvSourceOptions } from "../row-index/source.ts";
import { scanBadRows, usableRowsOf } from "../row-index/usable.ts";
import { SchemaEncoder } from "../schema/encode.ts";
import { parseSchema } from "../schema/json.ts";
import {
  checkNotEmpty,
  type GroupedFile,
  groupedInfo,
  type OpenGroupedFile,
  readGroupedRows,
} from "./grouped.ts";
import { EncodedGroups } from "./groups.ts";

/** Options of a columnar source: those of an indexed CSV source, less the CSV layout. */
export type GroupedSourceOptions = Omit<
  IndexedCsvSourceOptions,
  "header" | "columns" | "delimiter" | "parser" | "indexDir" | "cache" | "maxRecordChars"
>;

/** A columnar dataset (Parquet, Arrow) as a block source with the `IndexedCsvSource` extras, less the row index. */
export type GroupedSource = Omit<IndexedCsvSource, "index">;

/** Where each file's groups start, as global data rows. */
export class GroupLayout {
  /** `groupStart[k]`: global row of flat group k's first row; one more entry for the end. */
  readonly groupStart: Float64Array;
  /** File of flat group k, and its group number within that file. */
  readonly groupFile: Int32Array;
  readonly groupInFile: Int32Array;
  /** Global row of each file's first row. */
  readonly fileStart: Float64Array;
  readonly numRows: number;

  constructor(tables: readonly GroupedFile[]) {
    const groups = tables.reduce((n, t) => n + t.groupRows.length, 0);
    this.groupStart = new Float64Array(groups + 1);
    this.groupFile = new Int32Array(groups);
    this.groupInFile = new Int32Array(groups);
    this.fileStart = new Float64Array(tables.length + 1);
    let k = 0;
    let row = 0;
    tables.forEach((table, f) => {
      this.fileStart[f] = row;
      table.groupRows.forEach((rows, g) => {
        this.groupStart[k] = row;
        this.groupFile[k] = f;
        this.groupInFile[k] = g;
        row += rows;
        k++;
      });
    });
    this.groupStart[groups] = row;
    this.fileStart[tables.length] = row;
    this.numRows = row;
  }

  /** Flat group holding global row `row`. */
  groupOf(row: number): number {
    const starts = this.groupStart;
    let lo = 0;
    let hi = starts.length - 2;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if ((starts[mid] as number) <= row) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }
}

/**
 * Opens columnar files (Parquet row groups, Arrow record batches) as a random-access block
 * source with the semantics of `openIndexedCsv`: sample u is the u-th usable row (bad rows found
 * once at open under `skip`/`quarantine`), exact numSamples, block reads that a full shuffle
 * permutes and a position-only state resumes. A block reads the groups holding its rows, in
 * file order; groups are decoded and encoded once and kept, encoded, within half the memory
 * budget (the other half holds two blocks), so data whose samples fit there is read from the
 * files once per run. Throws `DataError` as `openIndexedCsv` does.
 */
export async function openGroupedSource(
  options: GroupedSourceOptions,
  files: readonly string[],
  open: OpenGroupedFile,
): Promise<GroupedSource> {
  const schema = parseSchema(options.schema);
  const rejectsPath = options.rejects ?? null;
  const policy = checkPolicy(options.onBadRecord ?? "error", rejectsPath);
  const memoryBudget = parseByteSize(options.memoryBudget ?? DEFAULT_MEMORY_BUDGET);
  budgetOf(options.maxBadRows, policy, null);
  const tables: GroupedFile[] = [];
  try {
    for (const file of files) {
      const table = await open(file);
      tables.push(table);
      checkNotEmpty(table);
    }
  } catch (error) {
    await Promise.allSettled(tables.map((t) => t.close()));
    throw error;
  }
  const layout = new GroupLayout(tables);
  const rejects = policy === "quarantine" ? new RejectsFile(rejectsPath as string, ",") : null;
  const tally = new RowTally(policy, rejects, budgetOf(options.maxBadRows, policy, layout.numRows));
  const encoders = tables.map((table, f) => {
    const encoder = new SchemaEncoder(schema, { requireLabel: options.requireLabel, unseen: tally.unseen });
    encoder.bind(table.columns, { file: groupedInfo(table, f).file, line: null });
    return encoder;
  });
  const bad =
    policy === "error"
      ? new Float64Array(0)
      : await scanBadRows(
          { files, numRows: layout.numRows },
          {
            format: resolveFormat({ header: false }),
            schema,
            requireLabel: options.requireLabel,
            tally,
            rejects,
            rows: (onFile) => readGroupedRows(files, open, { onFile }),
          },
        );
  const usable = usableRowsOf(layout.numRows, bad, files, options.numSamples ?? null);
  const numSamples = usable.numSamples;
  const half = Math.floor(memoryBudget / 2);
  const blocks = planGroupedBlocks(half, schema.numFeatures, bad.byteLength);
  const groups = new EncodedGroups({ tables, layout, encoders, schema, cacheBytes: half });

  const readBlock = async (indices: ArrayLike<number>): Promise<SampleBlock> => {
    const rows = new Float64Array(indices.length);
    for (let i = 0; i < rows.length; i++) {
      const index = indices[i] as number;
      if (!Number.isSafeInteger(index) || index < 0 || index >= numSamples) {
        throw new DataError({
          code: "options",
          reason: `sample index must be an integer in [0, ${numSamples}), got ${index}`,
        });
      }
      rows[i] = usable.rowOf(index);
    }
    return groups.read(rows, (file, line, problem) => badRowRead(policy, file, line, problem));
  };
  const source: GroupedSource = {
    numFeatures: schema.numFeatures,
    numSamples,
    blockSamples: blocks.blockSamples,
    schema,
    blocks,
    badRows: bad.length,
    readBlock,
    stream: () => readInBlocks(source, { start: 0, end: numSamples }, (i) => i),
    chunks: () => readInBlocks(source, { start: 0, end: numSamples }, (i) => i).chunks(),
    files: async () => [...files],
    summary: () => tally.summary(),
  };
  return source;
}

/**
 * Two blocks of samples in `bytes` (the other half of the budget caches groups); no read buffers:
 * the format's reader decodes whole groups. Throws `DataError` (options) when not one sample fits.
 */
function planGroupedBlocks(bytes: number, numFeatures: number, indexBytes: number): BlockPlan {
  const perSample = 4 * numFeatures + SAMPLE_OVERHEAD_BYTES;
  const blockSamples = Math.floor((bytes - indexBytes) / (2 * perSample));
  if (blockSamples < 1) {
    throw new DataError({
      code: "options",
      reason: `memoryBudget ${formatBytes(2 * bytes)} is too small: give at least ${formatBytes(2 * (indexBytes + 2 * 1024 * perSample))}`,
    });
  }
  return { memoryBudget: 2 * bytes, indexBytes, readBytes: 0, readConcurrency: 0, blockSamples };
}
