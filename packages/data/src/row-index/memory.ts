import { DataError } from "../errors.ts";

/** Memory budget of an indexed source when none is given: 256 MiB. */
export const DEFAULT_MEMORY_BUDGET = 256 * 2 ** 20;

/** A byte count: a number of bytes, or text such as `"256MB"`, `"1.5GiB"`, `"64 MiB"`. */
export type ByteSize = number | string;

const UNITS: Record<string, number> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 2 ** 10,
  mib: 2 ** 20,
  gib: 2 ** 30,
  tib: 2 ** 40,
  k: 2 ** 10,
  m: 2 ** 20,
  g: 2 ** 30,
};

/**
 * Reads a byte count: a positive number of bytes, or a number with a unit (`KB`/`MB`/`GB` are
 * powers of 1000, `KiB`/`MiB`/`GiB` and the bare `K`/`M`/`G` powers of 1024; case-insensitive).
 * Throws `DataError` (options) naming `name` otherwise.
 * @example parseByteSize("256MB") // 256000000
 */
export function parseByteSize(value: ByteSize, name = "memoryBudget"): number {
  let bytes = Number.NaN;
  if (typeof value === "number") bytes = value;
  else if (typeof value === "string") {
    const match = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*([a-z]*)\s*$/i.exec(value);
    const unit = UNITS[(match?.[2] || "b").toLowerCase()];
    if (match && unit !== undefined) bytes = Math.floor(Number(match[1]) * unit);
  }
  if (!Number.isSafeInteger(bytes) || bytes < 1) {
    throw new DataError({
      code: "options",
      reason: `${name} must be a positive byte count such as 268435456, "256MB" or "1GiB", got ${JSON.stringify(value)}`,
    });
  }
  return bytes;
}

/** `268435456` → `"256 MiB"`: budgets in messages, as people read them. */
export function formatBytes(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : Number(value.toPrecision(3))} ${units[unit]}`;
}

/**
 * Bytes per sample of a block beyond its 4-byte features: the label, row, line and file of the
 * block (28 bytes) and, while the block is being read, its sorted layout (about 50 bytes). Sample
 * objects are made one at a time as the block is consumed, so they are short-lived garbage.
 */
export const SAMPLE_OVERHEAD_BYTES = 64;

/** How a block source spends its budget. */
export interface BlockPlan {
  memoryBudget: number;
  /** Bytes of the row index (and of the bad-row list), held for the whole run. */
  indexBytes: number;
  /** Largest positioned read; nearby rows are coalesced into reads up to this size. */
  readBytes: number;
  /** Reads in flight at once (libuv's thread pool runs 4). */
  readConcurrency: number;
  /** Samples per block: two blocks (one consumed, one being read) fit in what is left. */
  blockSamples: number;
}

/**
 * Splits `memoryBudget` into the index, the read buffers and two blocks of decoded samples.
 * Throws `DataError` (options) when the index and buffers leave no room for a block.
 */
export function planBlocks(options: {
  memoryBudget: number;
  numFeatures: number;
  indexBytes: number;
}): BlockPlan {
  const { memoryBudget, indexBytes } = options;
  const readConcurrency = 4;
  const readBytes = Math.min(4 * 2 ** 20, Math.max(64 * 2 ** 10, Math.floor(memoryBudget / 32)));
  const perSample = 4 * options.numFeatures + SAMPLE_OVERHEAD_BYTES;
  const left = memoryBudget - indexBytes - readConcurrency * readBytes;
  const blockSamples = Math.floor(left / (2 * perSample));
  if (blockSamples < 1) {
    const needed = indexBytes + readConcurrency * readBytes + 2 * 1024 * perSample;
    throw new DataError({
      code: "options",
      reason:
        `memoryBudget ${formatBytes(memoryBudget)} is too small: the row index takes ${formatBytes(indexBytes)} ` +
        `and the read buffers ${formatBytes(readConcurrency * readBytes)}; give at least ${formatBytes(needed)}`,
    });
  }
  return { memoryBudget, indexBytes, readBytes, readConcurrency, blockSamples };
}
