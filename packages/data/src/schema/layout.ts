import { featureWidth, type Schema } from "./types.ts";

/** One integer input of a sample that a model feeds to an embedding (an embedded or hashed categorical column). */
export interface EmbeddingInput {
  /** The column. */
  name: string;
  /** Position of the index in a sample's features. */
  column: number;
  /** Embedding rows: the largest index + 1 (vocabulary + OOV, or the hash buckets). */
  rows: number;
  /** Size of each embedding vector, from the schema. */
  dim: number;
}

/** Which inputs of a sample are plain numbers for dense layers and which are embedding indices. */
export interface InputLayout {
  /** Positions of the dense inputs (numbers, one-hot, date parts), in order. */
  dense: number[];
  embeddings: EmbeddingInput[];
}

/**
 * Where a sample's inputs go in a model: dense inputs, and one integer index per embedded or
 * hashed categorical column. A schema without such columns gives every position as dense.
 * @example const { dense, embeddings } = inputLayout(schema) // embeddings[0].rows × .dim
 */
export function inputLayout(schema: Schema): InputLayout {
  const dense: number[] = [];
  const embeddings: EmbeddingInput[] = [];
  let at = 0;
  for (const feature of schema.features) {
    const width = featureWidth(feature);
    if (feature.kind === "categorical" && feature.encoding !== "one-hot") {
      const rows =
        feature.encoding === "hashed" ? (feature.buckets as number) : feature.vocabulary.length + 1;
      embeddings.push({ name: feature.name, column: at, rows, dim: feature.embeddingDim as number });
    } else {
      for (let i = 0; i < width; i++) dense.push(at + i);
    }
    at += width;
  }
  return { dense, embeddings };
}
