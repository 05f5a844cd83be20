/** Where a sample came from: enough to find the row again in the user's file. */
export interface RowRef {
  /** 0-based data row across the whole dataset (header excluded; files in their stable order). */
  index: number;
  /** Path of the file, or `null` for in-memory sources. */
  file: string | null;
  /** 0-based position of `file` in the dataset's file list (0 for in-memory sources). */
  fileIndex: number;
  /** 1-based physical line where the record starts in `file` (null for in-memory sources). */
  line: number | null;
}

/** One encoded sample: `numFeatures` floats and one label (class index or value). */
export interface Sample {
  features: Float32Array;
  label: number;
  source: RowRef;
}

/**
 * A dataset that can be read again pass after pass. Sources never shuffle: order is the
 * pipeline's job. Sources with `get` are random-access and are shuffled by permutation.
 */
export interface SampleSource {
  readonly numFeatures: number;
  /** Sample count when known before reading (arrays, counted files), else `null`. */
  readonly numSamples: number | null;
  /** Every usable sample of one pass, in source order. */
  stream(): AsyncIterable<Sample>;
  /** Random access by 0-based sample index, when the source has it. */
  get?(index: number): Sample;
  /** Sample count when it is cheap to find before a pass (e.g. counting a file's lines); used when numSamples is null. */
  count?(): Promise<number>;
  /**
   * How a worker thread builds this same source (set by sources that can cross threads, such as
   * CSV files); absent for in-memory arrays and generators, which `loader: "worker"` cannot use.
   */
  readonly workerSpec?: WorkerSourceSpec;
}

/** How a worker thread makes a source: `import(module)[export](...args)`, all structured-clonable. */
export interface WorkerSourceSpec {
  /** Absolute file path, `file://` URL or package specifier of a module the worker can import. */
  module: string;
  /** Export name of a function returning a `SampleSource` (or a promise of one). Default `default`. */
  export?: string;
  /** Arguments for that function (copied to the worker by structured clone). */
  args?: unknown[];
}

/*
 * The chunk protocol: samples in chunks, many rows per step instead of one. Every hop of an
 * async iterator costs about as much as parsing a short numeric row, so the fast path of a
 * stream pass (read, count, shuffle, shard, batch) moves chunks of rows in typed arrays and
 * awaits once per chunk. A chunked stream holds exactly the samples of the per-sample stream,
 * in the same order. Helpers that make and read chunks live in pipeline/chunk.ts.
 */

/**
 * `numSamples` consecutive samples, row-major. A chunk is valid until its consumer asks for the
 * next one: producers may reuse its memory then, so a consumer copies what it keeps (every
 * stage here does: the shuffle into its buffer, batching into batches, `samplesOf` per sample).
 */
export interface SampleChunk {
  numSamples: number;
  numFeatures: number;
  /** `[numSamples * numFeatures]`. */
  features: Float32Array;
  /** `[numSamples]`, as `Sample.label` (doubles). */
  labels: Float64Array;
  /** Provenance of each sample. */
  rows: RowRef[];
  /** The same provenance as numbers, when the producer keeps it so (see `ChunkProvenance`). */
  provenance?: ChunkProvenance;
}

/**
 * Provenance of a chunk whose samples all come from one file, as numbers: a source worker sends
 * it as it is, the buffer shuffle keeps it as numbers, and a `RowRef` is made only for a batch
 * (or when `rows` is read), so that no object per row lives long: in the CSV fast path that is
 * the allocation and garbage collection of a million objects per million rows, on both threads.
 */
export interface ChunkProvenance {
  file: string | null;
  fileIndex: number;
  /** `[numSamples]`: each sample's `RowRef.index`. */
  index: Float64Array;
  /** `[numSamples]`: each sample's `RowRef.line` (NaN for null). */
  line: Float64Array;
}

/** A source whose passes can also be read in chunks (`stream()` and `chunks()` give the same samples). */
export interface ChunkedSource extends SampleSource {
  chunks(): AsyncIterable<SampleChunk>;
}

/** A fixed-size training batch in row-major typed arrays. */
export interface Batch {
  /** Global step (0-based) of this batch in the run. */
  step: number;
  epoch: number;
  stepInEpoch: number;
  pass: number;
  batchInPass: number;
  /** Samples in this batch (the planned batch size, or less for a pass's last batch). */
  batchSize: number;
  numFeatures: number;
  /** Features, row-major `[batchSize, numFeatures]`. */
  xs: Float32Array;
  /** Labels, `[batchSize]`: class indices for classification, values for regression. */
  ys: Float32Array;
  /** Provenance of each sample, in batch order. */
  rows: RowRef[];
}
