import { naturalCompare } from "../order.ts";

/** Largest class index a Float32Array label holds exactly. */
export const MAX_CLASS_INDEX = 2 ** 24 - 1;

const SEEN = 1;
const FITTED = 2;

/**
 * Label classes of one pass. Every usable sample's class becomes a class of the schema, fitted
 * or not: a class that only samples left out of fitting carry (e.g. validation) must still be
 * encodable, and the model needs an output for it. Which classes fitted samples carried is
 * kept only to tell the user about the others.
 */
export class ClassTally {
  private readonly names = new Map<string, boolean>();
  // Fitted samples per string class, and per class index (grown with `flags`).
  private readonly nameCounts = new Map<string, number>();
  private indexCounts = new Float64Array(0);
  // Per class index, SEEN | FITTED. Grown on demand; at most MAX_CLASS_INDEX + 1 bytes (16 MiB).
  private flags = new Uint8Array(0);
  private maxIndex = -1;

  /** Counts a string class; `fitted` = the sample feeds the statistics. */
  addName(name: string, fitted: boolean): void {
    if (fitted) {
      this.names.set(name, true);
      this.nameCounts.set(name, (this.nameCounts.get(name) ?? 0) + 1);
    } else if (!this.names.has(name)) this.names.set(name, false);
  }

  /** Counts a class index in [0, MAX_CLASS_INDEX]; `fitted` = the sample feeds the statistics. */
  addIndex(index: number, fitted: boolean): void {
    if (index >= this.flags.length) {
      const grown = new Uint8Array(Math.min(MAX_CLASS_INDEX + 1, Math.max(index + 1, this.flags.length * 2)));
      grown.set(this.flags);
      this.flags = grown;
      const counts = new Float64Array(grown.length);
      counts.set(this.indexCounts);
      this.indexCounts = counts;
    }
    if (fitted) (this.indexCounts[index] as number)++;
    this.flags[index] = (this.flags[index] as number) | SEEN | (fitted ? FITTED : 0);
    if (index > this.maxIndex) this.maxIndex = index;
  }

  /** String classes in natural order. */
  vocabulary(): string[] {
    return [...this.names.keys()].sort(naturalCompare);
  }

  /** Fitted samples per class, in `vocabulary()` order (string classes) or by index (0..max seen). */
  counts(): number[] {
    if (this.names.size > 0) return this.vocabulary().map((name) => this.nameCounts.get(name) ?? 0);
    return Array.from(this.indexCounts.subarray(0, this.maxIndex + 1));
  }

  /** Class indices 0..max seen. */
  numClasses(): number {
    return this.maxIndex + 1;
  }

  /** Classes that only samples left out of fitting carried, in natural order. */
  unfitted(): string[] {
    const out: string[] = [];
    for (const [name, fitted] of this.names) if (!fitted) out.push(name);
    for (let i = 0; i <= this.maxIndex; i++) if (this.flags[i] === SEEN) out.push(String(i));
    return out.sort(naturalCompare);
  }
}
