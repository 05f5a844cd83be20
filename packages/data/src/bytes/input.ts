/**
 * Where a dataset file's bytes come from, whatever holds them: a path on Node, a `Blob`/`File`
 * or a URL in a browser. The CSV machinery (record splitter, line encoder, record counter, row
 * reader) reads through this, so every platform parses with the same code.
 */
export interface ByteInput {
  /** How errors and provenance name it (`RowRef.file`): the path, the File's name or the URL. */
  readonly name: string;
  /** Gzip bytes: sequential reads decompress them; random access is refused (`not-indexable`). */
  readonly gzip: boolean;
  /**
   * The (decompressed) bytes in order, in chunks of about `chunkBytes`. A chunk is only valid
   * until the next one is requested (readers may reuse memory). Throws on unreadable input.
   */
  chunks(chunkBytes: number): AsyncIterable<Uint8Array>;
  /** Random access to the raw bytes; absent when the input cannot serve byte ranges. */
  openRanges?(): Promise<RangeReader>;
}

/** Positioned reads of one input's raw bytes. */
export interface RangeReader {
  /** Total size in bytes. */
  readonly sizeBytes: number;
  /** Reads up to `length` bytes at `position` into `into[offset…]`; returns how many were read (0 at the end). */
  read(into: Uint8Array, offset: number, length: number, position: number): Promise<number>;
  close(): Promise<void>;
}
