import type { ShardLayout } from "@stepwise/core";

/**
 * `full` and `permutation`: exact seeded shuffle of every sample of a pass (core `permutation`),
 * for random-access sources (`full` reads block sources such as indexed CSV files in blocks);
 * `buffer`: bounded buffer shuffle of a stream; `none`: source order.
 */
export type ShuffleMode = "full" | "permutation" | "buffer" | "none";

export interface PassSamplesOptions {
  seed: number;
  pass: number;
  shuffle: ShuffleMode;
  /** Buffer size K for `buffer`. */
  shuffleBuffer: number;
  /** This rank's layout (core `shardLayout`), or null for one rank. */
  shard: ShardLayout | null;
  /** First position of this rank's pass to yield; earlier ones are skipped. Default 0. */
  start?: number;
  /**
   * Block sources only: pass-order positions `[0, passOffset)` were consumed before a resume at
   * another shard count; the rest is dealt to the ranks from there (see core `DealLayout`). Default 0.
   */
  passOffset?: number;
  /** Samples a stream pass must yield (checked); default: the shard's or the source's numSamples. */
  numSamples?: number | null;
  /** Filled while a stream pass is read: samples taken from the source, and whether it ended. */
  stats?: PassStats;
}

/** What a stream pass saw of its source: how the pipeline discovers and checks numSamples. */
export interface PassStats {
  samplesRead: number;
  complete: boolean;
}
