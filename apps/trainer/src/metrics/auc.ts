// Exact ROC AUC as the Mann–Whitney rank statistic: the probability that a random positive
// scores above a random negative, ties counting one half. Hand-written: it is a sort and one
// merge (no library computes it over typed arrays without copying to objects per sample).

/**
 * Exact ROC AUC of `positives` against `negatives` (model scores, any order); sorts both arrays
 * in place. Ties between a positive and a negative count 1/2, as the trapezoidal ROC area does.
 * Memory: the two arrays only (4 bytes per sample as Float32Array), no index or label array.
 * The pair count is an exact integer while 2·positives·negatives < 2^53 (e.g. 60 million of
 * each); beyond that it carries float64 rounding (relative 1e-16). Returns NaN when either class
 * is empty or a score is NaN.
 * @example
 * scoreAuc(new Float32Array([0.9, 0.4]), new Float32Array([0.4, 0.1])) // 0.875
 */
export function scoreAuc(
  positives: Float32Array | Float64Array,
  negatives: Float32Array | Float64Array,
): number {
  const nPos = positives.length;
  const nNeg = negatives.length;
  if (nPos === 0 || nNeg === 0) return Number.NaN;
  positives.sort();
  negatives.sort();
  // Typed-array sort puts NaN last.
  if (Number.isNaN(positives[nPos - 1]) || Number.isNaN(negatives[nNeg - 1])) return Number.NaN;
  // For each positive, the negatives strictly below it count 1 and the equal ones 1/2. Both
  // arrays are sorted, so two pointers walk the negatives once: O(nPos + nNeg) after the sorts.
  let below = 0; // negatives < current positive score
  let upTo = 0; // negatives <= current positive score
  let wins = 0; // in half-units, an exact integer up to 2^53
  for (let i = 0; i < nPos; i++) {
    const score = positives[i] as number;
    while (below < nNeg && (negatives[below] as number) < score) below++;
    if (upTo < below) upTo = below;
    while (upTo < nNeg && (negatives[upTo] as number) <= score) upTo++;
    wins += 2 * below + (upTo - below);
  }
  return wins / (2 * nPos * nNeg);
}
