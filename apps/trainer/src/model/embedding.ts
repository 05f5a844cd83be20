/**
 * The model for data with embedded or hashed categorical columns. Batches stay one Float32
 * matrix of `numFeatures` inputs per sample (the same for every reader and for `--model-json`);
 * the model slices it: the dense inputs (numbers, one-hot, date parts) go straight to the MLP, and
 * each embedded column's index goes through its own `Embedding` (rows × dim, see the schema),
 * flattened and concatenated with them:
 *
 *   input [numFeatures] ─┬─ Columns(dense) ──────────────────────────────┐
 *                        ├─ Columns(origin) → Embedding(rows, dim) → Flatten ├─ Concatenate → MLP → head
 *                        └─ …one per embedded column ─────────────────────┘
 *
 * One input with slicing keeps the data pipeline, manifests and scoring unchanged; the price is a
 * small custom layer (`Columns`, registered for saving and loading). Such a model is not a
 * Sequential Dense stack, so it trains with tfjs `trainOnBatch`, not the fused Dense step.
 */
import type { InputLayout } from "@stepwise/data/internals";
import * as tf from "@tensorflow/tfjs";
import type { TaskHead } from "./build.ts";

/** Selects columns (by position) of a `[batch, n]` input: a gather on the last axis. */
export class Columns extends tf.layers.Layer {
  static className = "StepwiseColumns";
  readonly columns: number[];

  constructor(config: { columns: number[]; name?: string }) {
    super({ name: config.name });
    this.columns = [...config.columns];
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    return [shape[0] ?? null, this.columns.length];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const input = Array.isArray(inputs) ? (inputs[0] as tf.Tensor) : inputs;
    return tf.tidy(() => tf.gather(input, tf.tensor1d(this.columns, "int32"), 1));
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), columns: this.columns };
  }
}
tf.serialization.registerClass(Columns);

interface WasmBackendLike {
  readSync(dataId: unknown): ArrayLike<number>;
  makeOutput(shape: number[], dtype: string): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array;
}

/**
 * tfjs's wasm backend lacks `UnsortedSegmentSum`, which the gradient of an embedding lookup
 * (`gather`) needs: a plain loop, exact (a sum per segment, in input order). There is no package
 * for one missing kernel; the cpu backend has its own and is left alone.
 */
function registerWasmSegmentSum(): void {
  if (tf.getKernel("UnsortedSegmentSum", "wasm") !== undefined) return;
  tf.registerKernel({
    kernelName: "UnsortedSegmentSum",
    backendName: "wasm",
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { x, segmentIds } = inputs as { x: tf.TensorInfo; segmentIds: tf.TensorInfo };
      const numSegments = (attrs as unknown as { numSegments: number }).numSegments;
      const wasm = backend as unknown as WasmBackendLike;
      const values = wasm.readSync(x.dataId);
      const ids = wasm.readSync(segmentIds.dataId);
      const tail = x.shape.slice(segmentIds.shape.length);
      const inner = tail.reduce((a, b) => a * b, 1);
      const out = wasm.makeOutput([numSegments, ...tail], x.dtype);
      const sums = wasm.typedArrayFromHeap(out);
      sums.fill(0);
      for (let i = 0; i < ids.length; i++) {
        const segment = ids[i] as number;
        if (segment < 0 || segment >= numSegments) continue;
        for (let j = 0; j < inner; j++)
          sums[segment * inner + j] =
            (sums[segment * inner + j] as number) + (values[i * inner + j] as number);
      }
      return out;
    },
  });
}
registerWasmSegmentSum();

/**
 * An MLP over the dense inputs and one embedding per embedded column of `layout`; every
 * initialiser is seeded from `seed`. Throws when the layout has no embedding (use `buildMlp`).
 * @example buildEmbeddingMlp({ numFeatures: 9, layout: inputLayout(schema), hidden: [64], head, seed: 1 })
 */
export function buildEmbeddingMlp(options: {
  numFeatures: number;
  layout: InputLayout;
  hidden: number[];
  head: TaskHead;
  seed: number;
}): tf.LayersModel {
  const { layout, seed } = options;
  if (layout.embeddings.length === 0) throw new Error("buildEmbeddingMlp: the layout has no embedded column");
  const seedFor = (i: number) => (seed + 7919 * (i + 1)) % 2 ** 31;
  const input = tf.input({ shape: [options.numFeatures], name: "features" });
  const parts: tf.SymbolicTensor[] = [];
  if (layout.dense.length > 0) {
    parts.push(
      new Columns({ columns: layout.dense, name: "dense_inputs" }).apply(input) as tf.SymbolicTensor,
    );
  }
  layout.embeddings.forEach((e, i) => {
    const safe = `${i}_${e.name.replace(/[^A-Za-z0-9_]/g, "_").slice(0, 40)}`;
    const index = new Columns({ columns: [e.column], name: `index_${safe}` }).apply(input);
    const vectors = tf.layers
      .embedding({
        inputDim: e.rows,
        outputDim: e.dim,
        embeddingsInitializer: tf.initializers.randomUniform({
          minval: -0.05,
          maxval: 0.05,
          seed: seedFor(100 + i),
        }),
        name: `embedding_${safe}`,
      })
      .apply(index);
    parts.push(tf.layers.flatten({ name: `flat_${safe}` }).apply(vectors) as tf.SymbolicTensor);
  });
  let x: tf.SymbolicTensor =
    parts.length === 1
      ? (parts[0] as tf.SymbolicTensor)
      : (tf.layers.concatenate({ name: "inputs" }).apply(parts) as tf.SymbolicTensor);
  const widths = [...options.hidden, options.head.units];
  widths.forEach((units, i) => {
    const last = i === widths.length - 1;
    x = tf.layers
      .dense({
        name: last ? "output" : `hidden_${i + 1}`,
        units,
        activation: last ? options.head.activation : "relu",
        kernelInitializer: tf.initializers.glorotUniform({ seed: seedFor(i) }),
        biasInitializer: "zeros",
      })
      .apply(x) as tf.SymbolicTensor;
  });
  return tf.model({ inputs: input, outputs: x, name: "embedding_mlp" });
}

/** Inputs of the first dense layer and the embedding parameters, for the size check before building. */
export function embeddingShape(layout: InputLayout): { denseInputs: number; embeddingParams: number } {
  let denseInputs = layout.dense.length;
  let embeddingParams = 0;
  for (const e of layout.embeddings) {
    denseInputs += e.dim;
    embeddingParams += e.rows * e.dim;
  }
  return { denseInputs, embeddingParams };
}
