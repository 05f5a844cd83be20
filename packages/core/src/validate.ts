/** Thrown for an argument outside its domain; the message names the argument and quotes the value. */
export class PlanError extends Error {
  override name = "PlanError";
}

/** Renders a bad value the way a user typed it: strings quoted, everything else as JSON would. */
export function quote(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number") return String(value); // keeps NaN / Infinity readable
  if (value === undefined) return "undefined";
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

function isInteger(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value);
}

/** Returns `value` when it is an integer ≥ 1; throws `PlanError` naming `name` otherwise. */
export function positiveInteger(name: string, value: unknown): number {
  if (!isInteger(value) || value < 1) {
    throw new PlanError(`${name} must be a positive integer, got ${quote(value)}`);
  }
  return value;
}

/** Returns `value` when it is an integer ≥ 0; throws `PlanError` naming `name` otherwise. */
export function nonNegativeInteger(name: string, value: unknown): number {
  if (!isInteger(value) || value < 0) {
    throw new PlanError(`${name} must be a non-negative integer, got ${quote(value)}`);
  }
  return value;
}

/** Returns `value` when it is one of `choices`; throws `PlanError` listing them otherwise. */
export function oneOf<T extends string>(name: string, value: unknown, choices: readonly T[]): T {
  if (typeof value !== "string" || !(choices as readonly string[]).includes(value)) {
    throw new PlanError(`${name} must be one of ${choices.join(", ")}; got ${quote(value)}`);
  }
  return value as T;
}

/** Returns `value` when it is a boolean; throws `PlanError` otherwise. */
export function boolean(name: string, value: unknown): boolean {
  if (typeof value !== "boolean") {
    throw new PlanError(`${name} must be true or false, got ${quote(value)}`);
  }
  return value;
}
