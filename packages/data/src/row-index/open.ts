import type { ByteInput } from "../bytes/input.ts";
import { budgetOf } from "../csv/budget.ts";
import type { ResolvedFormat } from "../csv/format.ts";
import { type BadRecordPolicy, RowTally } from "../csv/policy.ts";
import type { RejectsFile } from "../csv/rejects.ts";
import type { CsvFileInfo, CsvRow, RecordsOf } from "../csv/rows.ts";
import type { CsvSource, CsvSourceOptions } from "../csv/source.ts";
import { DataError } from "../errors.ts";
import { type BlockSource, readInBlocks, type SampleBlock } from "../pipeline/block.ts";
import type { Schema } from "../schema/types.ts";
import type { SampleChunk, WorkerSourceSpec } from "../types.ts";
import { type BlockPlan, planBlocks } from "./memory.ts";
import { type RangeDecoder, RowReader } from "./reader.ts";
import type { RowIndex } from "./rows.ts";
import type { RowReaderSettings } from "./settings.ts";
import { scanBadRows, usableRowsOf } from "./usable.ts";

/** A CSV dataset read through its row index: random access in blocks, an exact numSamples, and the `CsvSource` extras. */
export interface IndexedCsvSource extends CsvSource, BlockSource {
  /** The samples of one pass in file order, in chunks (what a `buffer` shuffle reads). */
  chunks(): AsyncIterable<SampleChunk>;
  readonly numSamples: number;
  readonly index: RowIndex;
  /** How the memory budget is spent (index, read buffers, block size). */
  readonly blocks: BlockPlan;
  /** Data rows left out as bad under `skip`/`quarantine` (0 under `error`). */
  readonly badRows: number;
}

function checkIndices(indices: ArrayLike<number>, numSamples: number): void {
  for (let i = 0; i < indices.length; i++) {
    const index = indices[i] as number;
    if (!Number.isSafeInteger(index) || index < 0 || index >= numSamples) {
      throw new DataError({
        code: "options",
        reason: `sample index must be an integer in [0, ${numSamples}), got ${index}`,
      });
    }
  }
}

/** What `openIndexedInputs` needs: the checked options and the platform's pieces (index, rejects file, record reader). */
export interface IndexedInputs {
  inputs: readonly ByteInput[];
  index: RowIndex;
  format: ResolvedFormat;
  schema: Schema;
  policy: BadRecordPolicy;
  memoryBudget: number;
  rejects: RejectsFile | null;
  records: RecordsOf;
  options: Pick<CsvSourceOptions, "maxBadRows" | "requireLabel" | "numSamples"> & { maxRecordChars?: number };
  /** The rows of one pass for the bad-row scan when the data is not CSV (JSON Lines); `onFile` binds each file's columns. */
  rows?: (onFile: (info: CsvFileInfo) => void) => AsyncIterable<CsvRow>;
  /** How a row's bytes become a sample when the data is not CSV; default the CSV `RowDecoder`. */
  decoder?: (settings: RowReaderSettings) => RangeDecoder;
  /** How a worker thread rebuilds the source (Node only; see `SampleSource.workerSpec`). */
  workerSpec?: WorkerSourceSpec;
}

/**
 * The random-access source over indexed inputs, on any platform: under `skip`/`quarantine` reads
 * the data once to find the bad rows, so that `numSamples` is exact and sample u is always the
 * u-th usable row; then reads blocks through the row reader. See `openIndexedCsv`.
 */
export async function openIndexedInputs(settings: IndexedInputs): Promise<IndexedCsvSource> {
  const { inputs, index, format, schema, policy, memoryBudget, rejects, options } = settings;
  // A budget too small for the index fails now, not after a scan of the data.
  planBlocks({ memoryBudget, numFeatures: schema.numFeatures, indexBytes: index.indexBytes });
  // The rows of a pass are known up front, so a share budget fails as soon as it is exceeded.
  const tally = new RowTally(policy, rejects, budgetOf(options.maxBadRows, policy, index.numRows));
  const bad =
    policy === "error"
      ? new Float64Array(0)
      : await scanBadRows(index, {
          format,
          schema,
          requireLabel: options.requireLabel,
          tally,
          rejects,
          ...(settings.rows === undefined ? { inputs, records: settings.records } : { rows: settings.rows }),
        });
  const usable = usableRowsOf(index.numRows, bad, index.files, options.numSamples ?? null);
  const numSamples = usable.numSamples;
  const blocks = planBlocks({
    memoryBudget,
    numFeatures: schema.numFeatures,
    indexBytes: index.indexBytes + bad.byteLength,
  });
  const readerSettings: RowReaderSettings = {
    index,
    inputs,
    format,
    schema,
    requireLabel: options.requireLabel,
    policy,
    unseen: tally.unseen,
    maxRecordChars: options.maxRecordChars ?? 16 * 2 ** 20,
    plan: blocks,
  };
  const reader = new RowReader(readerSettings, settings.decoder?.(readerSettings));
  await reader.open();

  const readBlock = async (indices: ArrayLike<number>): Promise<SampleBlock> => {
    checkIndices(indices, numSamples);
    return reader.read(indices, (sample) => usable.rowOf(sample));
  };
  const source: IndexedCsvSource = {
    numFeatures: schema.numFeatures,
    numSamples,
    blockSamples: blocks.blockSamples,
    schema,
    index,
    blocks,
    badRows: bad.length,
    readBlock,
    // In file order through the same block reads: contiguous rows coalesce into large sequential reads.
    stream: () => readInBlocks(source, { start: 0, end: numSamples }, (i) => i),
    chunks: () => readInBlocks(source, { start: 0, end: numSamples }, (i) => i).chunks(),
    files: async () => [...index.files],
    summary: () => tally.summary(),
    ...(settings.workerSpec === undefined ? {} : { workerSpec: settings.workerSpec }),
  };
  return source;
}
