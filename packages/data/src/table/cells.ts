const decoder = new TextDecoder();

/**
 * A value of a typed format (JSON Lines, Parquet, Arrow) as the text a CSV cell would hold, so the
 * schema reads every format through the same encoder: numbers in their shortest round-trip form
 * (`String` of a double parses back to the same double, hence the same float32 feature), missing
 * values (null, undefined) as the empty cell, booleans as `true`/`false`, big integers in full,
 * dates as ISO 8601, bytes as UTF-8 text, anything nested as its JSON.
 * @example cellText(0.1) // "0.1"; cellText(null) // ""
 */
export function cellText(value: unknown): string {
  switch (typeof value) {
    case "string":
      return value;
    case "number":
      // `String(-0)` is "0": keep the sign, as the CSV text "-0" would.
      return Object.is(value, -0) ? "-0" : String(value);
    case "bigint":
    case "boolean":
      return String(value);
    case "undefined":
      return "";
    default:
      if (value === null) return "";
      if (value instanceof Date) return Number.isNaN(value.getTime()) ? "" : value.toISOString();
      if (value instanceof Uint8Array) return decoder.decode(value);
      return JSON.stringify(value, (_, v: unknown) => (typeof v === "bigint" ? String(v) : v));
  }
}
