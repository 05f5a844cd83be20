import { type ShardLayout, shardPosition } from "@stepwise/core";

/**
 * This rank's share of one pass of a stream, in rank order: positions `shardPosition(layout, i)`
 * of the pass order (rank r reads r, r+W, …; `pad` then wraps to the first samples, `drop` stops
 * early). The whole pass order must be identical on every rank (same seed), and its length must
 * be `layout.numSamples`. Memory: the first `min(W, N)` samples, kept for padding.
 */
export async function* shardSamples<T>(
  items: AsyncIterable<T> | Iterable<T>,
  layout: ShardLayout,
  /** How a wrapped repeat is marked (samples: `padding: true` on its row), so counts can tell it from a visit. */
  asPadding: (item: T) => T = (item) => item,
): AsyncGenerator<T> {
  const count = layout.samplesPerShard;
  const keep = layout.paddedSamples > 0 ? Math.min(layout.numShards, layout.numSamples) : 0;
  const head: T[] = [];
  let i = 0;
  let position = 0;
  for await (const item of items) {
    if (position < keep) head.push(item);
    if (i < count && shardPosition(layout, i) === position) {
      yield item;
      i++;
    }
    position++;
    if (i === count && position >= keep) return;
  }
  // Padding positions wrap past the end of the pass: they index the kept head of the pass.
  for (; i < count; i++) {
    const wrapped = shardPosition(layout, i);
    if (wrapped >= head.length || wrapped >= position) break;
    yield asPadding(head[wrapped] as T);
  }
}
