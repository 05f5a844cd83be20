/**
 * Orders paths so that `part-2` comes before `part-10`: digit runs compare as numbers, the rest
 * by UTF-16 code unit. Locale-free on purpose, so every machine reads files in the same order.
 */
export function naturalCompare(a: string, b: string): number {
  const runs = /(\d+)|(\D+)/g;
  const left = a.match(runs) ?? [];
  const right = b.match(runs) ?? [];
  for (let i = 0; i < Math.min(left.length, right.length); i++) {
    const x = left[i] as string;
    const y = right[i] as string;
    if (x === y) continue;
    const xDigits = x.charCodeAt(0) <= 57 && x.charCodeAt(0) >= 48;
    const yDigits = y.charCodeAt(0) <= 57 && y.charCodeAt(0) >= 48;
    if (xDigits && yDigits) {
      const xs = x.replace(/^0+(?=\d)/, "");
      const ys = y.replace(/^0+(?=\d)/, "");
      if (xs.length !== ys.length) return xs.length - ys.length;
      if (xs !== ys) return xs < ys ? -1 : 1;
      return x.length - y.length; // "01" vs "1": keep a total order
    }
    return x < y ? -1 : 1;
  }
  return left.length - right.length;
}
