/**
 * One pass of a CSV source in chunks: the fast path of `csvSource`, giving exactly the samples,
 * bad-record decisions, counts and errors of its per-sample `stream()` (proven by differential
 * tests). Each chunk of bytes is split and encoded in one synchronous sweep (file-chunker.ts):
 * simple lines go straight from bytes into the chunk's Float32Array through the `LineEncoder`;
 * every other record (the header, quoted line breaks, anything the line encoder declines) takes
 * the reference path, splitter fields through `SchemaEncoder.encode`, at its place in the order.
 */
import type { ByteInput } from "../bytes/input.ts";
import { DataError } from "../errors.ts";
import { SchemaEncoder } from "../schema/encode.ts";
import type { Schema } from "../schema/types.ts";
import type { SampleChunk } from "../types.ts";
import { checkPassEnd } from "./encode-rows.ts";
import { FileChunker, type Swept, type UnseenAt } from "./file-chunker.ts";
import type { ResolvedFormat } from "./format.ts";
import type { PassCounts, RowTally } from "./policy.ts";
import type { RejectsFile } from "./rejects.ts";
import { CsvSyntaxError } from "./split.ts";
import { ioError, syntaxError } from "./syntax.ts";

export interface CsvChunksOptions {
  /** The dataset's files in reading order (paths on Node, Blobs or URLs in a browser). */
  inputs: readonly ByteInput[];
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
 * One pass over `inputs` in chunks of samples (one chunk per chunk of bytes read, split where
 * bad rows are). Same samples, order, errors and counts as `csvSource(...).stream()`; a pass
 * abandoned midway has read, and counted, up to one chunk of bytes further.
 */
export async function* csvChunks(options: CsvChunksOptions): AsyncGenerator<SampleChunk> {
  const { inputs, format, schema, tally, rejects } = options;
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
    for (let fileIndex = 0; fileIndex < inputs.length; fileIndex++) {
      const input = inputs[fileIndex] as ByteInput;
      const file = input.name;
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
      const reader = input.chunks(chunkBytes)[Symbol.asyncIterator]();
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
        await reader.return?.(undefined);
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
  checkPassEnd(pass, inputs.length === 1 ? (inputs[0] as ByteInput).name : null, options.numSamples);
}
