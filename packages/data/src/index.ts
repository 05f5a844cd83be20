/**
 * @stepwise/data — stream CSV files, arrays and generators into fixed-size typed-array
 * batches with exact, planned epoch boundaries. No tfjs here: see `@stepwise/data/tfjs`.
 */
export type { Batch, RowRef, Sample, SampleSource } from "./types.ts";
