/** Which statistics turn a numeric feature into a model input. */
export type Normalization = "standard" | "minmax" | "none";
export const NORMALIZATIONS: readonly Normalization[] = ["standard", "minmax", "none"];

/** `regression`: the value itself; `integer-classes`: 0-based class indices; `string-classes`: names mapped through a vocabulary. */
export type LabelKind = "regression" | "integer-classes" | "string-classes";
export const LABEL_KINDS: readonly LabelKind[] = ["regression", "integer-classes", "string-classes"];

/** One streaming pass of statistics over the observed (non-missing) values of a column. */
export interface NumericStats {
  count: number;
  mean: number;
  /** Population standard deviation (divides by count), as scikit-learn's StandardScaler. */
  std: number;
  min: number;
  max: number;
}

export interface NumericFeature {
  name: string;
  kind: "numeric";
  /** Value for a missing field; null = a missing field makes the record bad. */
  default: number | null;
  stats: NumericStats;
}

/**
 * How the model sees a categorical column:
 * - `one-hot`: `vocabulary.length + 1` inputs, the last one the out-of-vocabulary (OOV) bucket
 *   (schemas of version 1 have no OOV input: `oovInput` false, an unknown value is all zeros);
 * - `embedding`: one input holding an integer index, 0 for OOV and `1 + i` for `vocabulary[i]`,
 *   fed by the model to an embedding of `vocabulary.length + 1` rows of `embeddingDim` values;
 * - `hashed`: one input holding `hashBucket(value, buckets)`, an index in `[0, buckets)` fed to an
 *   embedding of `buckets` rows (no vocabulary, so no OOV: every value has a bucket).
 */
export type CategoricalEncoding = "one-hot" | "embedding" | "hashed";

export interface CategoricalFeature {
  name: string;
  kind: "categorical";
  encoding: CategoricalEncoding;
  /** Known values in natural order (empty when hashed). Other values go to the OOV bucket. */
  vocabulary: string[];
  /** Value for a missing field; null = a missing field makes the record bad. */
  default: string | null;
  /** Fitted rows whose value went to the OOV bucket (rarer than minFrequency or beyond maxCategories). */
  rowsOutsideVocabulary: number;
  /** Distinct values in the fitted rows (a lower bound when `hashed` because there were too many to count). */
  distinct: number;
  /** `one-hot` only: whether the last input is the OOV bucket (false in version-1 schemas). */
  oovInput?: boolean;
  /** `hashed` only: number of buckets. */
  buckets?: number;
  /** `embedding` and `hashed`: the size of each embedding vector. */
  embeddingDim?: number;
}

/** A derived input of a date column (see dates.ts): plain, or one half of a sin/cos pair. */
export type DatePart =
  | "year"
  | "month"
  | "dayOfWeek"
  | "hour"
  | "month_sin"
  | "month_cos"
  | "dayOfWeek_sin"
  | "dayOfWeek_cos"
  | "hour_sin"
  | "hour_cos";

/** What `--date-features` makes of a date column: nothing (ignored), plain parts, or cyclical pairs. */
export type DateFeatures = "none" | "basic" | "cyclical";
export const DATE_FEATURES: readonly DateFeatures[] = ["none", "basic", "cyclical"];

/** An ISO date or timestamp column, turned into `parts.length` inputs. */
export interface DateFeature {
  name: string;
  kind: "date";
  /** The inputs, in order. */
  parts: DatePart[];
  /** Always null: a missing date makes the record bad. */
  default: null;
  /** Statistics of the (fractional) year, which the `year` part is normalized with. */
  year: NumericStats;
}

export type Feature = NumericFeature | CategoricalFeature | DateFeature;

export type Label =
  | { name: string; kind: "regression"; stats: NumericStats }
  | { name: string; kind: "integer-classes"; numClasses: number; counts?: number[] }
  | { name: string; kind: "string-classes"; vocabulary: string[]; counts?: number[] };
// `counts`: fitted samples per class, by class index (absent in schemas saved before it existed).

export interface IgnoredColumn {
  name: string;
  reason: string;
}

/**
 * Everything needed to turn a record into a sample, the same way at training, evaluation and
 * prediction time. Plain JSON: save it beside the model and load it with `parseSchema`.
 */
export interface Schema {
  /** 2; version-1 files (no OOV input, no dates) are read by `parseSchema` and upgraded. */
  version: 2;
  /** Columns of the data the schema was fitted on, in file order. */
  columns: string[];
  /** Model inputs in order; see `featureWidth` for how many inputs each one takes. */
  features: Feature[];
  label: Label | null;
  ignored: IgnoredColumn[];
  normalization: Normalization;
  /** Inputs per sample: the sum of the features' widths. */
  numFeatures: number;
  /**
   * The pass the statistics come from. `rowsUsed` is the usable sample count of the data;
   * `samplesFitted` how many of those fed the statistics, vocabularies and regression label
   * (fewer when some were left out, e.g. validation samples; absent in schemas saved before it
   * existed, which were fitted on every usable sample).
   */
  fit: {
    rowsRead: number;
    rowsUsed: number;
    rowsSkipped: number;
    sampleRows: number;
    samplesFitted?: number;
  };
  /** Things worth a look, e.g. a vocabulary that left rows to the OOV bucket. */
  notes: string[];
}

/** Overrides for inference; names refer to header columns. */
export interface SchemaOptions {
  /** Label column; null or unset = no label (features only). */
  label?: string | null;
  labelKind?: LabelKind;
  /** The features, in this order; unset = every column not ignored, in file order. */
  features?: readonly string[];
  categorical?: readonly string[];
  numeric?: readonly string[];
  ignore?: readonly string[];
  /** Per-column value for missing fields: a number or `"mean"` (numeric), a string (categorical). */
  defaults?: Readonly<Record<string, number | string>>;
  /** Default `"standard"`. */
  normalization?: Normalization;
  /** Rows the column kinds are inferred from (K). Default 1000. */
  sampleRows?: number;
  /**
   * Largest vocabulary of a categorical column: the most frequent values are kept, the rest go to
   * the OOV bucket. A number for every column, or per column with `"*"` for the others, e.g.
   * `{ origin: 500, "*": 64 }`. Default: no limit but `DISTINCT_LIMIT`, beyond which a column is hashed.
   */
  maxCategories?: number | Readonly<Record<string, number>>;
  /** Values seen in fewer fitted rows than this go to the OOV bucket. Default 1. */
  minFrequency?: number;
  /** Categorical columns with more values than this are embedded instead of one-hot. Default 16. */
  maxOneHot?: number;
  /** When set, categorical columns with more than `maxOneHot` values are hashed into this many buckets instead. */
  hashBuckets?: number;
  /** What date columns become. Default `cyclical`. */
  dateFeatures?: DateFeatures;
}

/** Inputs a feature takes in a sample. */
export function featureWidth(feature: Feature): number {
  if (feature.kind === "numeric") return 1;
  if (feature.kind === "date") return feature.parts.length;
  if (feature.encoding !== "one-hot") return 1;
  return feature.vocabulary.length + (feature.oovInput === false ? 0 : 1);
}
