// Gradients of any compiled tfjs model without applying them, so they can be combined across
// ranks first: the loss, metrics and regularisers `trainOnBatch` computes (tfjs-layers'
// makeTrainFunction), through `optimizer.computeGradients`, then `optimizer.applyGradients`.
import * as tf from "@tensorflow/tfjs";

type LossFn = (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Tensor;

/** What of tfjs-layers' LayersModel this file reads (public fields without public types). */
interface CompiledModel {
  lossFunctions: LossFn[];
  metricsTensors: [LossFn, number][];
  calculateLosses(): tf.Scalar[];
  standardizeUserData(x: tf.Tensor, y: tf.Tensor): Promise<[tf.Tensor[], tf.Tensor[]]>;
}

/**
 * `[loss, ...metrics]` and one gradient array per trainable weight (in `model.trainableWeights`
 * order). `classWeights`: the loss is Σ w[class of sample]·loss(sample) / B (Keras's
 * `class_weight`, tfjs's per-sample losses weighted before their mean); metrics stay unweighted.
 */
export async function tfjsGradients(
  model: tf.LayersModel,
  xs: tf.Tensor,
  ys: tf.Tensor,
  classWeights?: Float32Array,
): Promise<{ values: number[]; gradients: Float32Array[] }> {
  // A Sequential compiles (and trains) the functional model it wraps.
  const compiled = ((model as unknown as { model?: CompiledModel }).model ??
    model) as unknown as CompiledModel;
  const [inputs, targets] = await compiled.standardizeUserData(xs, ys);
  const variables = model.trainableWeights.map((weight) => weight.read() as tf.Variable);
  const metrics: tf.Scalar[] = [];
  // One weight per sample, from its class index (labels are class indices, or 0/1 for binary).
  const sampleWeights = classWeights
    ? tf.tensor1d(Float32Array.from(ys.dataSync(), (label) => classWeights[Math.round(label)] as number))
    : null;
  try {
    const { value, grads } = model.optimizer.computeGradients(() => {
      const output = model.apply(inputs[0] as tf.Tensor, { training: true }) as tf.Tensor;
      const target = targets[0] as tf.Tensor;
      const losses = (compiled.lossFunctions[0] as LossFn)(target, output);
      let total = tf.mean(
        sampleWeights ? tf.mul(tf.reshape(losses, [-1]), sampleWeights) : losses,
      ) as tf.Scalar;
      for (const [metric] of compiled.metricsTensors) metrics.push(tf.keep(tf.mean(metric(target, output))));
      for (const penalty of compiled.calculateLosses()) total = tf.add(total, penalty);
      return total;
    }, variables);
    const values = [(await value.data())[0] as number];
    for (const metric of metrics) values.push((await metric.data())[0] as number);
    const gradients = variables.map((v) =>
      Float32Array.from(grads[v.name]?.dataSync() ?? new Float32Array(v.size)),
    );
    tf.dispose([value, ...Object.values(grads)]);
    return { values, gradients };
  } finally {
    tf.dispose(metrics);
    sampleWeights?.dispose();
    if (inputs[0] !== xs) tf.dispose(inputs);
    if (targets[0] !== ys) tf.dispose(targets);
  }
}

/** Applies gradients as {@link tfjsGradients} returns them with the model's own optimizer. */
export function applyTfjsGradients(model: tf.LayersModel, gradients: Float32Array[]): void {
  const variables = model.trainableWeights.map((weight) => weight.read() as tf.Variable);
  const named = variables.map((v, i) => ({
    name: v.name,
    tensor: tf.tensor(gradients[i] as Float32Array, v.shape),
  }));
  try {
    model.optimizer.applyGradients(named);
  } finally {
    tf.dispose(named.map((entry) => entry.tensor));
  }
}
