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
