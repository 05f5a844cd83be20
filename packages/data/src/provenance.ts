/**
 * Provenance kept as numbers (see `ChunkProvenance`): made into `RowRef` objects only when read,
 * by the CSV reader that fills chunks and by the pipeline stages that carry them.
 */
import type { ChunkProvenance, RowRef, SampleChunk } from "./types.ts";

/**
 * The RowRef of a sample given as numbers. Integers come out as int32 (`x | 0`): read from a
 * Float64Array they would be heap numbers, two boxed fields in every row (measured: 112 instead
 * of 64 bytes a row).
 */
export function rowOf(index: number, file: string | null, fileIndex: number, line: number): RowRef {
  const indexSmall = index | 0;
  const fileIndexSmall = fileIndex | 0;
  const lineSmall = line | 0;
  return {
    index: indexSmall === index ? indexSmall : index,
    file,
    fileIndex: fileIndexSmall === fileIndex ? fileIndexSmall : fileIndex,
    line: lineSmall === line ? lineSmall : Number.isNaN(line) ? null : line,
  };
}

/** A chunk with `ChunkProvenance`: `rows` is made from it on first access. */
export class ProvenanceChunk implements SampleChunk {
  numSamples = 0;
  private made: RowRef[] | null = null;

  constructor(
    readonly numFeatures: number,
    readonly features: Float32Array,
    readonly labels: Float64Array,
    readonly provenance: ChunkProvenance,
  ) {}

  get rows(): RowRef[] {
    const n = this.numSamples;
    if (this.made !== null && this.made.length === n) return this.made;
    const { file, fileIndex, index, line } = this.provenance;
    const rows: RowRef[] = new Array(n);
    for (let i = 0; i < n; i++) rows[i] = rowOf(index[i] as number, file, fileIndex, line[i] as number);
    this.made = rows;
    return rows;
  }

  /** Empties the chunk for new samples (rows made for the old ones are forgotten). */
  clear(): void {
    this.numSamples = 0;
    this.made = null;
  }
}
