/** Thrown for a pipeline misuse: bad options, an incompatible resume state, a source that breaks its promises. */
export class PipelineError extends Error {
  override name = "PipelineError";
}

/** Returns `value` when it is an integer ≥ `min`; throws `PipelineError` naming `name` otherwise. */
export function integerAtLeast(name: string, value: unknown, min: number): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < min) {
    const what =
      min === 0 ? "a non-negative integer" : min === 1 ? "a positive integer" : `an integer ≥ ${min}`;
    throw new PipelineError(`${name} must be ${what}, got ${JSON.stringify(value) ?? String(value)}`);
  }
  return value;
}
