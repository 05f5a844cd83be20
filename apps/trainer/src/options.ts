import { UsageError } from "./errors.ts";

/** Commander parser for an integer flag ≥ `min`; the error names the flag and quotes the value. */
export function integerFlag(flag: string, min: number) {
  return (raw: string): number => {
    const value = Number(raw);
    if (!/^\s*[+-]?\d+\s*$/.test(raw) || !Number.isSafeInteger(value) || value < min) {
      const kind = min >= 1 ? "a positive integer" : "a non-negative integer";
      throw new UsageError(`${flag} must be ${kind}, got ${JSON.stringify(raw)}`);
    }
    return value;
  };
}

/** `--validation-freq`: an integer k (every k-th epoch) or a comma list of 1-based epoch numbers. */
export function validationFreqFlag(raw: string): number | number[] {
  const parts = raw.split(",").map((part) => part.trim());
  const parse = integerFlag("--validation-freq", 1);
  if (parts.length === 1) return parse(parts[0] as string);
  return parts.map((part) => {
    if (part === "") throw new UsageError(`--validation-freq has an empty entry in ${JSON.stringify(raw)}`);
    return parse(part);
  });
}

/** Parser for a flag limited to `choices`. */
export function choiceFlag<T extends string>(flag: string, choices: readonly T[]) {
  return (raw: string): T => {
    if (!(choices as readonly string[]).includes(raw)) {
      throw new UsageError(`${flag} must be one of ${choices.join(", ")}; got ${JSON.stringify(raw)}`);
    }
    return raw as T;
  };
}

/** Parser for a finite number flag in an open or closed interval; the error names the flag and the range. */
export function numberFlag(flag: string, range: { above?: number; below?: number; min?: number } = {}) {
  return (raw: string): number => {
    const value = Number(raw);
    const ok =
      raw.trim() !== "" &&
      Number.isFinite(value) &&
      (range.above === undefined || value > range.above) &&
      (range.below === undefined || value < range.below) &&
      (range.min === undefined || value >= range.min);
    if (!ok) {
      const parts = [
        range.above !== undefined ? `above ${range.above}` : null,
        range.min !== undefined ? `at least ${range.min}` : null,
        range.below !== undefined ? `below ${range.below}` : null,
      ].filter((part) => part !== null);
      const kind = parts.length > 0 ? `a number ${parts.join(" and ")}` : "a number";
      throw new UsageError(`${flag} must be ${kind}, got ${JSON.stringify(raw)}`);
    }
    return value;
  };
}

/** Parser for a comma-separated list of names (`a,b,c`); empty entries are an error. */
export function listFlag(flag: string) {
  return (raw: string): string[] => {
    const parts = raw.split(",").map((part) => part.trim());
    if (parts.some((part) => part === ""))
      throw new UsageError(`${flag} has an empty entry in ${JSON.stringify(raw)}; give names like a,b,c`);
    return parts;
  };
}

/**
 * `--delimiter`: one character; `\t` (as typed in a shell) and `tab` mean a tab. Anything longer
 * is an error, not a delimiter that silently never matches.
 */
export function delimiterFlag(raw: string): string {
  if (raw === "\\t" || raw === "tab") return "\t";
  if ([...raw].length !== 1 || /["\r\n]/.test(raw)) {
    throw new UsageError(
      `--delimiter must be one character other than a quote or a line break (e.g. , ; | or \\t for a tab), got ${JSON.stringify(raw)}`,
    );
  }
  return raw;
}

/**
 * `--class-weight`: `balanced`, or `class=weight` pairs (`0=1,1=4`, `setosa=2`) with finite
 * weights ≥ 0. Returns the text normalised (spaces dropped); the classes are checked against the
 * label's classes when the data is open.
 */
export function classWeightFlag(raw: string): string {
  const text = raw.trim();
  if (text === "balanced") return text;
  const pairs = text.split(",").map((part) => part.trim());
  const seen = new Set<string>();
  for (const pair of pairs) {
    const match = /^(.+?)\s*=\s*(\S+)$/.exec(pair);
    const weight = Number(match?.[2]);
    if (!match || match[2] === "" || !Number.isFinite(weight) || weight < 0) {
      throw new UsageError(
        `--class-weight must be balanced or class=weight pairs with weights ≥ 0 (e.g. 0=1,1=4), got ${JSON.stringify(raw)}`,
      );
    }
    const name = (match[1] as string).trim();
    if (seen.has(name)) throw new UsageError(`--class-weight names class ${JSON.stringify(name)} twice`);
    seen.add(name);
  }
  return pairs.map((pair) => pair.replace(/\s*=\s*/, "=")).join(",");
}

/**
 * `--max-categories`: a positive integer for every categorical column, or per column
 * `origin=500,dest=300,64` (a bare number is the limit of the other columns). Returns the number,
 * or an object of limits by column with `"*"` for the others.
 */
export function maxCategoriesFlag(raw: string): number | Record<string, number> {
  const flag = "--max-categories";
  const count = integerFlag(flag, 1);
  const parts = raw.split(",").map((part) => part.trim());
  if (parts.length === 1 && !parts[0]?.includes("=")) return count(parts[0] as string);
  const out: Record<string, number> = {};
  for (const part of parts) {
    const at = part.lastIndexOf("=");
    const name = at < 0 ? "*" : part.slice(0, at).trim();
    if (name === "" || name in out) {
      throw new UsageError(
        `${flag} must look like origin=500,64 (COLUMN=N per column, N for the others), got ${JSON.stringify(raw)}`,
      );
    }
    out[name] = count(at < 0 ? part : part.slice(at + 1));
  }
  return out;
}
