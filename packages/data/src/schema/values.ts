/**
 * How field text becomes a number, everywhere (inference, fitting, encoding):
 * - an empty or blank field is a missing value (a column default, or a bad record);
 * - a number is decimal text as `Number()` reads it (`-1.5`, `.5`, `1e-3`, blanks around it);
 * - `NaN`, `Infinity`, `inf`, values that overflow (`1e999`) and hex/octal/binary literals are
 *   not numbers: a training set should not carry them silently into the statistics;
 * - a value outside the float32 range is bad too, since batches are Float32Array.
 */

/** Largest finite float32. */
export const FLOAT32_MAX = 3.4028234663852886e38;

/** Whether a field counts as a missing value: empty or only blanks. */
export function isMissing(text: string): boolean {
  if (text.length === 0) return true;
  const first = text.charCodeAt(0);
  // Printable ASCII is never white space: the common case decided without `trim`.
  if (first > 32 && first < 127) return false;
  return text.trim().length === 0;
}

const POWERS_OF_TEN = Array.from({ length: 23 }, (_, i) => 10 ** i); // exact doubles up to 1e22

/**
 * Plain decimals (`-12.5`, `.5`, `7.`) with at most 15 significant digits, or undefined for
 * anything else. Clinger's fast path: the digits and the power of ten are exact doubles, so one
 * IEEE division is correctly rounded and equals `Number(text)` bit for bit, at less than half
 * its cost; numeric CSV columns are almost all of this form.
 */
function simpleDecimal(text: string): number | undefined {
  const n = text.length;
  let i = 0;
  const first = text.charCodeAt(0);
  if (first === 45 || first === 43) i = 1; // - +
  let mantissa = 0;
  let significant = 0;
  let fraction = 0;
  let dot = false;
  let digits = false;
  for (; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      mantissa = mantissa * 10 + (c - 48);
      digits = true;
      if (mantissa !== 0) significant++;
      if (dot) fraction++;
    } else if (c === 46 && !dot) {
      dot = true;
    } else {
      return undefined;
    }
  }
  if (!digits || significant > 15 || fraction > 22) return undefined;
  const value = mantissa / (POWERS_OF_TEN[fraction] as number);
  return first === 45 ? -value : value;
}

/** The finite decimal number `text` holds, or NaN. Call `isMissing` first: blank text reads as NaN here. */
export function parseNumber(text: string): number {
  const simple = simpleDecimal(text);
  if (simple !== undefined) return simple;
  const value = Number(text);
  // value - value is NaN for NaN and ±Infinity: one test for both.
  if (value - value !== 0 || Math.abs(value) > FLOAT32_MAX) return Number.NaN;
  if (value === 0 && isMissing(text)) return Number.NaN; // Number("  ") is 0
  const t = text.charCodeAt(0) <= 32 ? text.trimStart() : text;
  if (t.length > 2 && t.charCodeAt(0) === 48) {
    const prefix = t.charCodeAt(1) | 0x20; // Number() reads 0x1f, 0o17, 0b11: not decimal data
    if (prefix === 0x78 || prefix === 0x6f || prefix === 0x62) return Number.NaN;
  }
  return value;
}

/** What a bad number was expected to be, for messages: NaN/Infinity and overflow need "finite". */
export function expectedNumber(text: string): string {
  const value = Number(text);
  if (Number.isNaN(value) && !/^\s*[+-]?nan\s*$/i.test(text)) return "expected a number";
  if (!(Math.abs(value) <= FLOAT32_MAX)) return "expected a finite number within float32 range";
  return "expected a decimal number";
}
