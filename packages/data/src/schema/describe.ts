import type { Feature, Label, NumericStats, Schema } from "./types.ts";

/** Short numbers for people: 4 significant digits, no exponent for everyday magnitudes. */
function num(x: number): string {
  if (x === 0 || (Math.abs(x) >= 1e-3 && Math.abs(x) < 1e6)) return String(Number(x.toPrecision(4)));
  return x.toExponential(3);
}

function values(list: readonly string[], limit = 6): string {
  const shown = list.slice(0, limit).join(", ");
  return list.length > limit ? `${shown}, … (+${list.length - limit})` : shown;
}

function statsText(stats: NumericStats): string {
  if (stats.count === 0) return "no values";
  return `mean ${num(stats.mean)}, std ${num(stats.std)}, min ${num(stats.min)}, max ${num(stats.max)}`;
}

function featureText(feature: Feature): string {
  if (feature.kind === "numeric") {
    const missing = feature.default === null ? "missing → bad record" : `missing → ${num(feature.default)}`;
    return `numeric       ${statsText(feature.stats)}; ${missing}`;
  }
  if (feature.kind === "date") {
    const [first, last] = [Math.floor(feature.year.min), Math.floor(feature.year.max)];
    const years =
      feature.year.count === 0 ? "no values" : first === last ? `year ${first}` : `years ${first}..${last}`;
    return `date          ${feature.parts.length} inputs: ${feature.parts.join(", ")} (${years}); missing → bad record`;
  }
  const missing =
    feature.default === null ? "missing → bad record" : `missing → ${JSON.stringify(feature.default)}`;
  const oov = feature.rowsOutsideVocabulary > 0 ? `; ${feature.rowsOutsideVocabulary} fitted rows OOV` : "";
  if (feature.encoding === "hashed")
    return `categorical   hashed: ${feature.distinct}${feature.distinct >= 10_000 ? "+" : ""} values into ${feature.buckets} buckets, embedding ${feature.embeddingDim}; ${missing}`;
  if (feature.encoding === "embedding")
    return `categorical   embedding ${feature.vocabulary.length + 1}×${feature.embeddingDim} (${feature.vocabulary.length} values + OOV): ${values(feature.vocabulary)}${oov}; ${missing}`;
  const plusOov = feature.oovInput === false ? "" : " + OOV";
  return `categorical   ${feature.vocabulary.length}${plusOov} one-hot inputs: ${values(feature.vocabulary)}${oov}; ${missing}`;
}

function labelText(label: Label): string {
  if (label.kind === "regression") return `regression    ${statsText(label.stats)}`;
  if (label.kind === "integer-classes")
    return `classes       ${label.numClasses} classes, indices 0..${label.numClasses - 1}`;
  return `classes       ${label.vocabulary.length} classes: ${label.vocabulary.map((v, i) => `${i}=${v}`).join(", ")}`;
}

const NORMALIZATION_TEXT: Record<Schema["normalization"], string> = {
  standard: "standard: (x - mean) / std (std 0 → divide by 1)",
  minmax: "minmax: (x - min) / (max - min) (zero range → divide by 1)",
  none: "none: values as read",
};

/**
 * The schema as a readable multi-line text, for `trainer` to print before training.
 * @example console.log(describeSchema(schema))
 */
export function describeSchema(schema: Schema): string {
  const width = Math.max(8, ...schema.columns.map((c) => c.length)) + 2;
  const pad = (name: string) => name.padEnd(width);
  const label = schema.label === null ? "no label" : `label ${JSON.stringify(schema.label.name)}`;
  const lines = [
    `Schema: ${schema.features.length} features from ${schema.columns.length} columns → numFeatures ${schema.numFeatures}; ${label}`,
  ];
  if (schema.label !== null) lines.push(`  label    ${pad(schema.label.name)}${labelText(schema.label)}`);
  for (const feature of schema.features) lines.push(`  feature  ${pad(feature.name)}${featureText(feature)}`);
  for (const column of schema.ignored) lines.push(`  ignored  ${pad(column.name)}${column.reason}`);
  const { rowsRead, rowsUsed, rowsSkipped, sampleRows } = schema.fit;
  const samplesFitted = schema.fit.samplesFitted ?? rowsUsed;
  lines.push(`Normalization: ${NORMALIZATION_TEXT[schema.normalization]}`);
  // Schemas saved before kinds came from every row recorded the rows they did use: "from 1000 rows".
  const kindsFrom = `kinds inferred from ${sampleRows >= rowsRead - rowsSkipped && sampleRows > 0 ? "all " : ""}${sampleRows} rows`;
  lines.push(
    samplesFitted === rowsUsed
      ? `Fitted on ${rowsUsed} of ${rowsRead} rows (${rowsSkipped} skipped); ${kindsFrom}`
      : `Statistics from ${samplesFitted} training samples of ${rowsUsed} usable (${rowsUsed - samplesFitted} left out, e.g. validation); ` +
          `${rowsRead} rows read (${rowsSkipped} skipped); ${kindsFrom}`,
  );
  lines.push(
    "Categorical values outside a vocabulary go to the column's OOV bucket and are counted in the read summary",
  );
  for (const note of schema.notes) lines.push(`Note: ${note}`);
  return lines.join("\n");
}
