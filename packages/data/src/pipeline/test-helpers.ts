import { arraySource, type RandomAccessSource } from "../sources/array.ts";
import { generatorSource } from "../sources/generator.ts";
import type { Batch, SampleSource } from "../types.ts";

/** Row i has features [i, i + 0.5, …] and label i, so every value names its row. */
export function rowFeatures(i: number, numFeatures: number): number[] {
  return Array.from({ length: numFeatures }, (_, j) => i + j / 2);
}

export function memorySource(numSamples: number, numFeatures = 2): RandomAccessSource {
  const x = Array.from({ length: numSamples }, (_, i) => rowFeatures(i, numFeatures));
  return arraySource({ x, y: Array.from({ length: numSamples }, (_, i) => i) });
}

/** The same rows as `memorySource`, but a stream; `declare` says whether numSamples is known up front. */
export function streamSource(
  numSamples: number,
  numFeatures = 2,
  declare = false,
): SampleSource & { passes: number } {
  let passes = 0;
  const source = generatorSource(
    async function* () {
      passes++;
      for (let i = 0; i < numSamples; i++) yield { features: rowFeatures(i, numFeatures), label: i };
    },
    { numFeatures, numSamples: declare ? numSamples : null },
  );
  return Object.defineProperty(source, "passes", { get: () => passes }) as SampleSource & { passes: number };
}

export async function collect<T>(items: AsyncIterable<T> | Iterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

/** Row indices of a batch, in batch order. */
export const rowsOf = (batch: Pick<Batch, "rows">): number[] => batch.rows.map((row) => row.index);

/** A comparable summary of batches: placement and rows (features/labels are checked separately). */
export const summary = (batches: Batch[]) =>
  batches.map((b) => ({
    step: b.step,
    epoch: b.epoch,
    pass: b.pass,
    batchInPass: b.batchInPass,
    rows: rowsOf(b),
  }));

export const sorted = (values: number[]): number[] => [...values].sort((a, b) => a - b);
export const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

/** The first element; throws when there is none (keeps tests free of non-null assertions). */
export function first<T>(items: readonly T[]): T {
  if (items.length === 0) throw new Error("expected at least one element");
  return items[0] as T;
}
