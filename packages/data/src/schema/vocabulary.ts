/**
 * How a categorical column's fitted value counts become its encoding. The vocabulary keeps the
 * values seen in at least `minFrequency` fitted rows, the `maxCategories` most frequent of them
 * (ties in natural order); every other value goes to the out-of-vocabulary (OOV) bucket, which
 * is an input of its own. Up to `maxOneHot` values the column is one-hot; above it, it is one
 * integer input for an embedding, or hashed when `hashBuckets` is set. A column whose distinct
 * values outgrew `DISTINCT_LIMIT` while counting is always hashed (its counts are incomplete).
 */
import { naturalCompare } from "../order.ts";
import type { CategorySettings } from "./infer.ts";
import { DISTINCT_LIMIT } from "./kinds.ts";
import type { CategoricalFeature } from "./types.ts";

/** Buckets of a column hashed because it has more than `DISTINCT_LIMIT` values and no `hashBuckets` was given. */
export const DEFAULT_HASH_BUCKETS = 4096;

/** Embedding size for `rows` embedding rows: 1.6·rows^0.56 (a common rule of thumb), within [2, 50]. */
export function embeddingDimFor(rows: number): number {
  return Math.max(2, Math.min(50, Math.round(1.6 * rows ** 0.56)));
}

/** The largest vocabulary asked for `name` (per column, else `"*"`, else `DISTINCT_LIMIT`). */
export function maxCategoriesFor(settings: CategorySettings, name: string): number {
  return settings.maxCategories[name] ?? settings.maxCategories["*"] ?? DISTINCT_LIMIT;
}

/** A column hashed into `buckets` buckets (one index input, embedded): no vocabulary, no OOV rows. */
function hashed(
  base: Pick<CategoricalFeature, "name" | "kind" | "default" | "distinct">,
  buckets: number,
): CategoricalFeature {
  return {
    ...base,
    encoding: "hashed",
    vocabulary: [],
    rowsOutsideVocabulary: 0,
    buckets,
    embeddingDim: embeddingDimFor(buckets),
  };
}

/** The schema feature of a categorical column from its counts, and a note when rows went to the OOV bucket. */
export function vocabularyFeature(
  name: string,
  fallback: string | null,
  counts: ReadonlyMap<string, number>,
  overflow: boolean,
  settings: CategorySettings,
): { feature: CategoricalFeature; note: string | null } {
  const base = { name, kind: "categorical" as const, default: fallback, distinct: counts.size };
  const shown = JSON.stringify(name);
  if (overflow) {
    const buckets = settings.hashBuckets ?? DEFAULT_HASH_BUCKETS;
    return {
      feature: hashed(base, buckets),
      note: `column ${shown} has more than ${DISTINCT_LIMIT} distinct values: hashed into ${buckets} buckets`,
    };
  }
  const max = maxCategoriesFor(settings, name);
  const frequent = [...counts].filter(([, count]) => count >= settings.minFrequency);
  frequent.sort((a, b) => b[1] - a[1] || naturalCompare(a[0], b[0]));
  const kept = frequent.slice(0, max);
  let rows = 0;
  let keptRows = 0;
  for (const count of counts.values()) rows += count;
  for (const [, count] of kept) keptRows += count;
  const vocabulary = kept.map(([value]) => value).sort(naturalCompare);
  if (vocabulary.length > settings.maxOneHot && settings.hashBuckets !== null) {
    const buckets = settings.hashBuckets;
    return {
      feature: hashed(base, buckets),
      note: null,
    };
  }
  const outside = rows - keptRows;
  const note =
    outside === 0
      ? null
      : `column ${shown}: ${outside} rows had one of ${counts.size - kept.length} values outside its vocabulary of ${vocabulary.length} ` +
        `(seen fewer than minFrequency ${settings.minFrequency} times or beyond maxCategories ${max}); they go to its OOV bucket`;
  if (vocabulary.length > settings.maxOneHot) {
    return {
      feature: {
        ...base,
        encoding: "embedding",
        vocabulary,
        rowsOutsideVocabulary: outside,
        embeddingDim: embeddingDimFor(vocabulary.length + 1),
      },
      note,
    };
  }
  return {
    feature: { ...base, encoding: "one-hot", vocabulary, rowsOutsideVocabulary: outside, oovInput: true },
    note,
  };
}
