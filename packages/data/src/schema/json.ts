import { DataError } from "../errors.ts";
import { type DatePart, featureWidth, LABEL_KINDS, NORMALIZATIONS, type Schema } from "./types.ts";

const DATE_PARTS: readonly DatePart[] = [
  "year",
  "month",
  "dayOfWeek",
  "hour",
  "month_sin",
  "month_cos",
  "dayOfWeek_sin",
  "dayOfWeek_cos",
  "hour_sin",
  "hour_cos",
];
const ENCODINGS = ["one-hot", "embedding", "hashed"];

type Json = Record<string, unknown>;

function fail(path: string, expected: string, got: unknown): never {
  const shown = JSON.stringify(got);
  throw new DataError({
    code: "bad-schema",
    reason: `schema ${path} must be ${expected}, got ${shown === undefined ? "nothing" : shown.slice(0, 60)}`,
  });
}

function object(value: unknown, path: string): Json {
  if (typeof value !== "object" || value === null || Array.isArray(value)) fail(path, "an object", value);
  return value as Json;
}

function strings(value: unknown, path: string): string[] {
  if (!Array.isArray(value) || !value.every((v) => typeof v === "string"))
    fail(path, "a list of strings", value);
  return value as string[];
}

function finite(value: unknown, path: string): number {
  if (typeof value !== "number" || !Number.isFinite(value)) fail(path, "a finite number", value);
  return value;
}

function positive(value: unknown, path: string): number {
  if (!Number.isSafeInteger(value) || (value as number) < 1) fail(path, "a positive integer", value);
  return value as number;
}

function stats(value: unknown, path: string): void {
  const s = object(value, path);
  for (const key of ["count", "mean", "std", "min", "max"]) finite(s[key], `${path}.${key}`);
}

/** A version-1 categorical feature as version 2 has it: one-hot without an OOV input. */
function upgradeV1(root: Json): Json {
  for (const item of Array.isArray(root.features) ? root.features : []) {
    const feature = item as Json;
    if (feature?.kind !== "categorical") continue;
    feature.encoding = "one-hot";
    feature.oovInput = false;
    if (Array.isArray(feature.vocabulary)) feature.distinct = feature.vocabulary.length;
  }
  root.version = 2;
  return root;
}

function checkCategorical(feature: Json, path: string): void {
  if (!ENCODINGS.includes(feature.encoding as string))
    fail(`${path}.encoding`, '"one-hot", "embedding" or "hashed"', feature.encoding);
  strings(feature.vocabulary, `${path}.vocabulary`);
  if (feature.default !== null && typeof feature.default !== "string")
    fail(`${path}.default`, "a string or null", feature.default);
  if (
    feature.encoding === "one-hot" &&
    feature.oovInput !== undefined &&
    typeof feature.oovInput !== "boolean"
  )
    fail(`${path}.oovInput`, "true or false", feature.oovInput);
  if (feature.encoding === "hashed") positive(feature.buckets, `${path}.buckets`);
  if (feature.encoding !== "one-hot") positive(feature.embeddingDim, `${path}.embeddingDim`);
}

function checkDate(feature: Json, path: string): void {
  const parts = strings(feature.parts, `${path}.parts`);
  parts.forEach((part, i) => {
    if (!DATE_PARTS.includes(part as DatePart)) fail(`${path}.parts[${i}]`, DATE_PARTS.join(" or "), part);
  });
  if (feature.default !== null) fail(`${path}.default`, "null", feature.default);
  stats(feature.year, `${path}.year`);
}

/**
 * Checks that `value` (e.g. a parsed schema.json) is a `Schema` whose numFeatures matches its
 * features, and returns it typed. Version 1 (before OOV inputs and dates) is upgraded in place:
 * its categorical features become one-hot without an OOV input, so old runs encode as they
 * trained. Throws `DataError` (code `bad-schema`) naming the first field that is wrong, or a
 * version this release cannot read.
 * @example const schema = parseSchema(JSON.parse(await readFile("run/schema.json", "utf8")))
 */
export function parseSchema(value: unknown): Schema {
  let root = object(value, "");
  if (root.version === 1) root = upgradeV1(structuredClone(root));
  if (root.version !== 2) {
    throw new DataError({
      code: "bad-schema",
      reason: `schema version ${JSON.stringify(root.version)} is not one this release reads (1 or 2); refit the schema (train again) with this release`,
    });
  }
  strings(root.columns, "columns");
  if (!Array.isArray(root.features)) fail("features", "a list", root.features);
  let numFeatures = 0;
  (root.features as unknown[]).forEach((item, i) => {
    const path = `features[${i}]`;
    const feature = object(item, path);
    if (typeof feature.name !== "string") fail(`${path}.name`, "a string", feature.name);
    if (feature.kind === "numeric") {
      if (feature.default !== null) finite(feature.default, `${path}.default`);
      stats(feature.stats, `${path}.stats`);
      numFeatures += 1;
    } else if (feature.kind === "categorical") {
      checkCategorical(feature, path);
      numFeatures += featureWidth(feature as never);
    } else if (feature.kind === "date") {
      checkDate(feature, path);
      numFeatures += featureWidth(feature as never);
    } else {
      fail(`${path}.kind`, '"numeric", "categorical" or "date"', feature.kind);
    }
  });
  if (root.label !== null) {
    const label = object(root.label, "label");
    if (typeof label.name !== "string") fail("label.name", "a string", label.name);
    if (!LABEL_KINDS.includes(label.kind as never)) fail("label.kind", LABEL_KINDS.join(" or "), label.kind);
    if (label.kind === "regression") stats(label.stats, "label.stats");
    if (
      label.kind === "integer-classes" &&
      !(Number.isSafeInteger(label.numClasses) && (label.numClasses as number) >= 0)
    ) {
      fail("label.numClasses", "a non-negative integer", label.numClasses);
    }
    if (label.kind === "string-classes") strings(label.vocabulary, "label.vocabulary");
    if (label.kind !== "regression" && label.counts !== undefined) {
      const classes =
        label.kind === "string-classes"
          ? (label.vocabulary as unknown[]).length
          : (label.numClasses as number);
      const counts = label.counts;
      if (
        !Array.isArray(counts) ||
        counts.length !== classes ||
        !counts.every((c) => Number.isSafeInteger(c) && (c as number) >= 0)
      ) {
        fail("label.counts", `a list of ${classes} non-negative integers (samples per class)`, counts);
      }
    }
  }
  if (!NORMALIZATIONS.includes(root.normalization as never))
    fail("normalization", NORMALIZATIONS.join(" or "), root.normalization);
  if (root.numFeatures !== numFeatures)
    fail("numFeatures", `${numFeatures} (the features' inputs)`, root.numFeatures);
  if (!Array.isArray(root.ignored)) fail("ignored", "a list", root.ignored);
  const fit = object(root.fit, "fit");
  if (fit.samplesFitted !== undefined) {
    const rowsUsed = finite(fit.rowsUsed, "fit.rowsUsed");
    const fitted = fit.samplesFitted;
    if (!(Number.isSafeInteger(fitted) && (fitted as number) >= 0 && (fitted as number) <= rowsUsed))
      fail("fit.samplesFitted", `an integer in [0, ${rowsUsed}] (fit.rowsUsed)`, fitted);
  }
  strings(root.notes, "notes");
  return root as unknown as Schema;
}
