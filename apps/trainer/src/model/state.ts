import * as tf from "@tensorflow/tfjs";

/** Tensors as bytes plus the specs needed to decode them (the tfjs weights format). */
export interface EncodedWeights {
  specs: tf.io.WeightsManifestEntry[];
  data: Uint8Array;
}

export type NamedTensor = { name: string; tensor: tf.Tensor };

/** Named tensors as tfjs weights bytes + specs (the tensors stay the caller's). */
export async function encodeNamed(named: NamedTensor[]): Promise<EncodedWeights> {
  const { data, specs } = await tf.io.encodeWeights(named);
  return { specs, data: new Uint8Array(tf.io.CompositeArrayBuffer.join(data)) };
}

/** New tensors (the caller disposes them) from `encodeNamed`'s output, in spec order. */
export function decodeNamed(weights: EncodedWeights): NamedTensor[] {
  const buffer = weights.data.buffer.slice(
    weights.data.byteOffset,
    weights.data.byteOffset + weights.data.byteLength,
  );
  const map = tf.io.decodeWeights(buffer as ArrayBuffer, weights.specs);
  return weights.specs.map((spec) => ({ name: spec.name, tensor: map[spec.name] as tf.Tensor }));
}

/** The model's weights in `getWeights()` order; names are positions, since tfjs suffixes variable names per process. */
export async function captureModelWeights(model: tf.LayersModel): Promise<EncodedWeights> {
  return encodeNamed(model.getWeights().map((tensor, i) => ({ name: `w${i}`, tensor })));
}

/** Restores weights captured by `captureModelWeights` into a model of the same architecture. */
export function restoreModelWeights(model: tf.LayersModel, weights: EncodedWeights): void {
  const named = decodeNamed(weights);
  const tensors = named.map((entry) => entry.tensor);
  if (tensors.length !== model.getWeights().length) {
    tf.dispose(tensors);
    throw new Error(
      `checkpoint holds ${tensors.length} weight tensors, the model has ${model.getWeights().length}`,
    );
  }
  model.setWeights(tensors);
  tf.dispose(tensors);
}

// Adam keeps beta1^t and beta2^t as running products; its setWeights recomputes them with pow(),
// which differs from the product in the last float32 bits. Saving and restoring the products
// themselves is what makes a resumed run bit-identical to an uninterrupted one.
const RUNNING_PRODUCTS = ["accBeta1", "accBeta2"] as const;

type WithProducts = Partial<Record<(typeof RUNNING_PRODUCTS)[number], tf.Variable>>;

/** The optimizer's full state: iteration count, slot variables and (Adam) bias-correction products. */
export async function captureOptimizerState(optimizer: tf.Optimizer): Promise<EncodedWeights> {
  const weights = await optimizer.getWeights();
  const extra: NamedTensor[] = [];
  for (const key of RUNNING_PRODUCTS) {
    const variable = (optimizer as unknown as WithProducts)[key];
    if (variable) extra.push({ name: `__${key}`, tensor: variable });
  }
  try {
    return await encodeNamed([...weights, ...extra]);
  } finally {
    // getWeights() creates a fresh iteration scalar each call; the slot variables are the optimizer's own.
    const iteration = weights.find((entry) => entry.name === "iter");
    iteration?.tensor.dispose();
  }
}

/** Restores state captured by `captureOptimizerState` into a fresh optimizer of the same kind. */
export async function restoreOptimizerState(optimizer: tf.Optimizer, state: EncodedWeights): Promise<void> {
  const named = decodeNamed(state);
  const products = named.filter((entry) => entry.name.startsWith("__"));
  const slots = named.filter((entry) => !entry.name.startsWith("__"));
  try {
    await optimizer.setWeights(slots);
    for (const entry of products) {
      const key = entry.name.slice(2) as (typeof RUNNING_PRODUCTS)[number];
      (optimizer as unknown as WithProducts)[key]?.assign(entry.tensor);
    }
  } finally {
    tf.dispose(named.map((entry) => entry.tensor));
  }
}
