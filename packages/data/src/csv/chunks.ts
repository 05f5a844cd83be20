/**
 * One pass of a CSV source in chunks: the fast path of `csvSource`, giving exactly the samples,
 * bad-record decisions, counts and errors of its per-sample `stream()` (proven by differential
 * tests). Each chunk of bytes is split and encoded in one synchronous sweep (file-chunker.ts):
 * simple lines go straight from bytes into the chunk's Float32Array through the `LineEncoder`;
 * every other record (the header, quoted line breaks, anything the line encoder declines) takes
 * the reference path, splitter fields through `SchemaEncoder.encode`, at its place in the order.
 */

import { open } from "node:fs/promises";
import { DataError } from "../errors.ts";
import { SchemaEncoder } from "../schema/encode.ts";
import type { Schema } from "../schema/types.ts";
import type { SampleChunk } from "../types.ts";
import { FileChunker, type Swept, type UnseenAt } from "./file-chunker.ts";
import type { ResolvedFormat } from "./format.ts";
import type { PassCounts, RowTally } from "./policy.ts";
import { bytesOf, ioError, syntaxError } from "./records.ts";
import type { RejectsFile } from "./rejects.ts";
import { CsvSyntaxError } from "./split.ts";

const LF = 0x0a;

export interface CsvChunksOptions {
  files: readonly string[];
  format: ResolvedFormat;
  schema: Schema;
  requireLabel?: boolean;
  chunkBytes?: number;
  maxRecordChars?: number;
  /** The source's tally (bad-record policy and counts) and rejects file, shared with its per-sample passes. */
  tally: RowTally;
  rejects: RejectsFile | null;
  /** Usable samples per pass when declared; checked at the end of the pass. */
  numSamples: number | null;
  /** Turns the byte-level line path off (every record through the reference path); for tests. */
  lines?: boolean;
}

/**
 * The bytes of a file in chunks. Plain files are read into two alternating buffers, the next
 * read in flight while the caller parses the current chunk (no allocation per chunk, no stream
 * machinery); a chunk is valid until the next is requested. Each chunk ends at its last line
 * feed: the unfinished line is copied to the front of the next buffer and the next read lands
 * after it, so the splitter has nothing to carry (it would otherwise copy every chunk to join
 * its carry). A chunk without a line feed goes whole, and the splitter carries it. Gzip files go
 * through the reader's stream (`bytesOf`).
 */
async function* fileBytes(file: string, chunkBytes: number): AsyncGenerator<Buffer> {
  if (/\.gz$/i.test(file)) {
    const input = bytesOf(file, chunkBytes);
    try {
      yield* input as AsyncIterable<Buffer>;
    } finally {
      input.destroy();
    }
    return;
  }
  const handle = await open(file, "r");
  // Room for a carried line (shorter than one read: it follows the read's last line feed) and a read.
  const buffers = [Buffer.allocUnsafe(2 * chunkBytes), Buffer.allocUnsafe(2 * chunkBytes)];
  let pending = handle.read(buffers[0] as Buffer, 0, chunkBytes, null);
  try {
    for (let i = 0, carried = 0; ; i ^= 1) {
      const { bytesRead } = await pending;
      const buffer = buffers[i] as Buffer;
      const length = carried + bytesRead;
      if (bytesRead === 0) {
        if (length > 0) yield buffer.subarray(0, length);
        break;
      }
      const lastLineFeed = buffer.lastIndexOf(LF, length - 1);
      const cut = lastLineFeed < carried ? length : lastLineFeed + 1;
      const next = buffers[i ^ 1] as Buffer;
      carried = buffer.copy(next, 0, cut, length);
      pending = handle.read(next, carried, chunkBytes, null);
      yield buffer.subarray(0, cut);
    }
  } finally {
    await pending.catch(() => {});
    await handle.close();
  }
}

/**
 * The good samples in order, with each bad row applied to the policy at its place (which may
 * throw) and unseen categories counted with their rows: a pass the policy stops counts exactly
 * what the per-sample stream counts, though the chunk was encoded past the bad row.
 */
async function* settle(swept: Swept, tally: RowTally, pass: PassCounts): AsyncGenerator<SampleChunk> {
  const { chunk, bad, unseen } = swept;
  let next = 0;
  const use = (from: number, to: number) => {
    for (let i = from; i < to; i++) tally.used(pass);
    for (; next < unseen.length && (unseen[next] as UnseenAt).at < to; next++) {
      for (const column of (unseen[next] as UnseenAt).columns) {
        tally.unseen.set(column, (tally.unseen.get(column) ?? 0) + 1);
      }
    }
  };
  let from = 0;
  for (const { at, row, problem } of bad) {
    if (at > from) {
      use(from, at);
      yield chunk.slice(from, at);
      from = at;
    }
    await tally.reject(pass, row, problem);
  }
  if (chunk.numSamples > from) {
    use(from, chunk.numSamples);
    yield chunk.slice(from, chunk.numSamples);
  }
}

/**
 * One pass over `files` in chunks of samples (one chunk per chunk of bytes read, split where
 * bad rows are). Same samples, order, errors and counts as `csvSource(...).stream()`; a pass
 * abandoned midway has read, and counted, up to one chunk of bytes further.
 */
export async function* csvChunks(options: CsvChunksOptions): AsyncGenerator<SampleChunk> {
  const { files, format, schema, tally, rejects } = options;
  // Larger reads mean fewer chunks to hand on and fewer messages from a source worker (measured:
  // 1 MiB is 4% faster than 256 KiB on one thread, 8% with a parse worker); memory stays a few MB.
  const chunkBytes = options.chunkBytes ?? 1024 * 1024;
  const maxRecordChars = options.maxRecordChars ?? 16 * 2 ** 20;
  // One encoder per pass, as the per-sample stream has: passes may overlap. Its unseen counts are
  // its own: `settle` applies them to the tally with their rows.
  const encoder = new SchemaEncoder(schema, { requireLabel: options.requireLabel });
  const pass = tally.startPass();
  await rejects?.begin();
  try {
    let index = 0;
    let capacity = 1024;
    for (let fileIndex = 0; fileIndex < files.length; fileIndex++) {
      const file = files[fileIndex] as string;
      const chunker = new FileChunker(
        file,
        fileIndex,
        format,
        encoder,
        options.lines ?? true,
        maxRecordChars,
        index,
        capacity,
      );
      const reader = fileBytes(file, chunkBytes);
      let broken: CsvSyntaxError | null = null;
      try {
        for (let done = false; !done; ) {
          try {
            const next = await reader.next();
            done = next.done === true;
            chunker.push(done ? null : next.value);
          } catch (error) {
            if (!(error instanceof CsvSyntaxError)) throw ioError(file, error);
            broken = error;
            done = true;
          }
          // Records before a broken one are still delivered, so counts up to the error are exact.
          yield* settle(chunker.take(), tally, pass);
        }
      } finally {
        await reader.return(undefined);
      }
      if (broken !== null) {
        const columns = chunker.info?.columns ?? null;
        throw syntaxError(file, broken.code, broken.column, broken.line, columns, broken) as DataError;
      }
      if (chunker.info === null) {
        throw new DataError({
          code: "empty-file",
          file,
          reason: format.header ? "empty file: expected a header row" : "empty file: no records",
        });
      }
      index = chunker.index;
      capacity = chunker.chunk.labels.length;
    }
  } finally {
    await rejects?.close();
  }
  tally.endPass(pass);
  const where = files.length === 1 ? (files[0] as string) : null;
  if (pass.rowsUsed === 0) {
    throw new DataError({
      code: "no-data",
      file: where,
      reason: `no usable rows: ${pass.rowsRead} read, ${pass.rowsSkipped} skipped, ${pass.rowsQuarantined} quarantined`,
    });
  }
  if (options.numSamples !== null && pass.rowsUsed !== options.numSamples) {
    throw new DataError({
      code: "count-mismatch",
      file: where,
      reason:
        `expected ${options.numSamples} samples per pass (numSamples), read ${pass.rowsUsed} ` +
        `(${pass.rowsRead} rows, ${pass.rowsSkipped + pass.rowsQuarantined} bad): the data changed since it was counted`,
    });
  }
}
