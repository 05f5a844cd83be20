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

export interface CategoricalFeature {
  name: string;
  kind: "categorical";
  /** One-hot positions, in natural order. Values outside it encode as all zeros. */
  vocabulary: string[];
  /** Value for a missing field; null = a missing field makes the record bad. */
  default: string | null;
  /** Rows whose value was left out because the vocabulary was full (maxCategories). */
  rowsOutsideVocabulary: number;
}

export type Feature = NumericFeature | CategoricalFeature;

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
  version: 1;
  /** Columns of the data the schema was fitted on, in file order. */
  columns: string[];
  /** Model inputs in order; a categorical feature takes `vocabulary.length` inputs. */
  features: Feature[];
  label: Label | null;
  ignored: IgnoredColumn[];
  normalization: Normalization;
  /** Inputs per sample: numeric features plus the one-hot widths. */
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
  /** Things worth a look, e.g. a vocabulary that hit maxCategories. */
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
  /** Largest vocabulary of an inferred categorical column or of integer classes. Default 20. */
  maxCategories?: number;
}
