import { allocBytes, isUtf8 } from "#platform";
import type { ByteInput, RangeReader } from "../bytes/input.ts";
import { DataError } from "../errors.ts";
import type { SampleBlock } from "../pipeline/block.ts";
import { RowDecoder } from "./decode.ts";
import { COALESCE_GAP_BYTES, layOut, newLayout, type ReadLayout, Recycler } from "./layout.ts";
import type { RowReaderSettings } from "./settings.ts";

const LF = 0x0a;

/** Turns a row's exact bytes into a sample: CSV records (`RowDecoder`) or JSON Lines records. */
export interface RangeDecoder {
  /** Path of file `f` (as added). */
  file(f: number): string;
  /** Adds the next file from its first record's bytes (its header, or first row) and 1-based line. */
  addFile(file: string, bytes: Uint8Array, line: number): void;
  /** Decodes `buf[start, end)` of file `f` into `out[base, base + numFeatures)`; returns the label. */
  decode(
    f: number,
    buf: Uint8Array,
    start: number,
    end: number,
    valid: boolean,
    line: number,
    out: Float32Array,
    base: number,
  ): number;
}

/** A block's decoded contents in output order: 4·numFeatures + 28 bytes per sample. */
interface BlockArrays {
  capacity: number;
  features: Float32Array;
  labels: Float64Array;
  rows: Float64Array;
  lines: Float64Array;
  files: Int32Array;
}

/**
 * Reads data rows by global row number through the index: one block at a time, rows sorted by
 * offset, nearby rows coalesced into one positioned read, up to `readConcurrency` reads in
 * flight, each row parsed by the record splitter (exactly the reader's records) and encoded by
 * its file's encoder. Buffers, layouts and block arrays are recycled, so memory stays at what the
 * block plan counts instead of growing with garbage between collections.
 */
export class RowReader {
  private readonly decoder: RangeDecoder;
  private readonly buffers: Recycler<{ bytes: Uint8Array; capacity: number }>;
  private readonly layouts = new Recycler(newLayout, 1);
  // Two: the block being consumed and the one being read ahead.
  private readonly blocks: Recycler<BlockArrays>;

  constructor(
    private readonly settings: RowReaderSettings,
    decoder?: RangeDecoder,
  ) {
    this.decoder = decoder ?? new RowDecoder(settings);
    const { readBytes, readConcurrency } = settings.plan;
    this.buffers = new Recycler((capacity) => {
      const size = Math.max(capacity, readBytes);
      return { bytes: allocBytes(size), capacity: size };
    }, readConcurrency);
    const numFeatures = settings.schema.numFeatures;
    this.blocks = new Recycler(
      (capacity) => ({
        capacity,
        features: new Float32Array(capacity * numFeatures),
        labels: new Float64Array(capacity),
        rows: new Float64Array(capacity),
        lines: new Float64Array(capacity),
        files: new Int32Array(capacity),
      }),
      2,
    );
  }

  /** Reads each file's first record (its header, or the first row without one) and binds its encoder. */
  async open(): Promise<void> {
    const { index } = this.settings;
    for (let f = 0; f < index.files.length; f++) {
      const file = index.files[f] as string;
      const range = index.headerRange(f) ?? index.rowRange(f, 0);
      if (range.end - range.start > this.settings.maxRecordChars + COALESCE_GAP_BYTES) {
        throw new DataError({
          code: "record-too-long",
          file,
          line: range.line,
          reason: "record exceeds the maximum record size (an unterminated quote?)",
        });
      }
      const handle = await openRanges(this.settings.inputs[f] as ByteInput);
      try {
        const lead = range.start > 0 ? 1 : 0;
        const bytes = allocBytes(range.end - range.start + lead);
        await readFully(handle, file, bytes, range.start - lead, bytes.length);
        await this.checkRow(f, bytes, range.start - lead, range.start, range.end, range.line);
        this.decoder.addFile(file, bytes.subarray(lead), range.line);
      } finally {
        await handle.close();
      }
    }
  }

  /**
   * The samples `indices`, in that order; `rowOf` maps a sample to its global data row. Throws
   * `DataError` for unreadable or bad rows.
   */
  async read(indices: ArrayLike<number>, rowOf: (sample: number) => number): Promise<SampleBlock> {
    const count = indices.length;
    const layout = this.layouts.take(count);
    const arrays = this.blocks.take(count);
    try {
      layOut(indices, rowOf, this.settings.index, layout, {
        readBytes: this.settings.plan.readBytes,
        maxRecordBytes: this.settings.maxRecordChars,
      });
      await this.fetch(layout, arrays);
      for (let s = 0; s < count; s++) {
        const position = layout.position[s] as number;
        arrays.rows[position] = layout.row[s] as number;
        arrays.lines[position] = layout.line[s] as number;
        arrays.files[position] = layout.file[s] as number;
      }
    } catch (error) {
      this.blocks.give(arrays);
      throw error;
    } finally {
      this.layouts.give(layout);
    }
    return this.block(arrays, count);
  }

  /** Runs the layout's reads, `readConcurrency` at a time, decoding each read's rows into `arrays`. */
  private async fetch(layout: ReadLayout, arrays: BlockArrays): Promise<void> {
    const { index, schema, plan } = this.settings;
    const numFeatures = schema.numFeatures;
    const decoder = this.decoder;
    const handles = new Map<number, Promise<RangeReader>>();
    const handleOf = (f: number) => {
      let handle = handles.get(f);
      if (handle === undefined) {
        handle = openRanges(this.settings.inputs[f] as ByteInput);
        handles.set(f, handle);
      }
      return handle;
    };
    let next = 0;
    let failed = false;
    const worker = async () => {
      while (!failed && next < layout.firstSlot.length - 1) {
        const k = next++;
        const from = layout.firstSlot[k] as number;
        const to = layout.firstSlot[k + 1] as number;
        const f = layout.file[from] as number;
        // One byte more in front: the line feed that must precede the first row.
        const first = layout.start[from] as number;
        const base = first > 0 ? first - 1 : 0;
        const length = (layout.end[to - 1] as number) - base;
        const held = this.buffers.take(length);
        const buffer = held.bytes;
        try {
          await readFully(await handleOf(f), index.files[f] as string, buffer, base, length);
          const valid = isUtf8(buffer.subarray(first - base, length));
          for (let s = from; s < to; s++) {
            const line = layout.line[s] as number;
            await this.checkRow(f, buffer, base, layout.start[s] as number, layout.end[s] as number, line);
            const start = (layout.start[s] as number) - base;
            const end = (layout.end[s] as number) - base;
            const position = layout.position[s] as number;
            const at = position * numFeatures;
            try {
              arrays.labels[position] = decoder.decode(
                f,
                buffer,
                start,
                end,
                valid,
                line,
                arrays.features,
                at,
              );
            } catch (error) {
              // The decoder found another number of records than one where the index put a row.
              if (error instanceof DataError && error.code === "count-mismatch") await index.discard(f);
              throw error;
            }
          }
        } finally {
          this.buffers.give(held);
        }
      }
    };
    const workers = Array.from({ length: plan.readConcurrency }, () =>
      worker().catch((error: unknown) => {
        failed = true;
        throw error;
      }),
    );
    const results = await Promise.allSettled(workers);
    await Promise.allSettled([...handles.values()].map(async (h) => (await h).close()));
    const failure = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
    if (failure) throw failure.reason;
  }

  /**
   * Checks that the row the index puts at `[start, end)` (absolute offsets; `buffer` holds the
   * file from `bufferStart`, the byte before `start` included) starts where a record can: at the
   * file's start, after its byte order mark, or right after a line feed; and ends with a line
   * feed or at the file's end. A file changed in place under an index of the same size and mtime
   * fails this almost always. Throws `DataError` (count-mismatch) naming the file and line, and
   * removes the stale sidecar so the next open rebuilds the index.
   */
  private async checkRow(
    f: number,
    buffer: Uint8Array,
    bufferStart: number,
    start: number,
    end: number,
    line: number,
  ): Promise<void> {
    const { index } = this.settings;
    const before = start === 0 ? LF : buffer[start - 1 - bufferStart];
    const startsRecord = before === LF || (start === 3 && before === 0xbf);
    const endsRecord = end === index.fileSize(f) || buffer[end - 1 - bufferStart] === LF;
    if (startsRecord && endsRecord) return;
    await index.discard(f);
    throw new DataError({
      code: "count-mismatch",
      file: index.files[f] as string,
      line,
      reason:
        `the row index does not match the file (no record ${startsRecord ? "ends" : "starts"} at byte ${startsRecord ? end : start}): ` +
        "the file changed after it was indexed; its index is discarded, run again to rebuild it",
    });
  }

  /** The block over recycled arrays; `release` gives them back for a later block. */
  private block(arrays: BlockArrays, count: number): SampleBlock {
    const numFeatures = this.settings.schema.numFeatures;
    const { decoder, blocks } = this;
    let released = false;
    return {
      length: count,
      numFeatures,
      features: arrays.features.subarray(0, count * numFeatures),
      labels: arrays.labels.subarray(0, count),
      row(k: number) {
        if (released || !(k >= 0 && k < count)) throw new RangeError(`sample ${k} is not in this block`);
        const fileIndex = arrays.files[k] as number;
        const file = decoder.file(fileIndex);
        return { index: arrays.rows[k] as number, file, fileIndex, line: arrays.lines[k] as number };
      },
      release() {
        if (released) return;
        released = true;
        blocks.give(arrays);
      },
    };
  }
}

async function openRanges(input: ByteInput): Promise<RangeReader> {
  if (input.openRanges === undefined) {
    throw new DataError({
      code: "not-indexable",
      file: input.name,
      reason: "this input cannot be read by byte ranges",
    });
  }
  return input.openRanges();
}

async function readFully(
  handle: RangeReader,
  file: string,
  buffer: Uint8Array,
  position: number,
  length: number,
) {
  let done = 0;
  while (done < length) {
    const bytesRead = await handle.read(buffer, done, length - done, position + done);
    if (bytesRead === 0) {
      throw new DataError({
        code: "count-mismatch",
        file,
        reason: `the file ended at byte ${position + done}, before the rows its index names: the file changed during the run`,
      });
    }
    done += bytesRead;
  }
}
