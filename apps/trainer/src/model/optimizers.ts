// The trainer's optimizers, applied to Float32Arrays on the CPU side. They follow tfjs's own
// update rules op by op with float32 rounding after every operation (`Math.fround` of a double
// result is the float32 result for + - * / and sqrt), so an update equals what tf.train.adam /
// sgd / rmsprop would compute from the same gradients, bit for bit on the cpu backend. Why not
// tfjs's optimizers: Adam costs ~14 kernel dispatches per variable per step (~90 for the
// default MLP, 0.37 ms of a 1.36 ms step on wasm); here the whole update takes microseconds.
import type { OptimizerName } from "../train/config.ts";

const f = Math.fround;

/** Learning-rate defaults as Keras and `makeOptimizer` use them. */
export const DEFAULT_LEARNING_RATES: Record<OptimizerName, number> = {
  adam: 0.001,
  sgd: 0.01,
  rmsprop: 0.001,
};

// tfjs's defaults for tf.train.adam(lr) / tf.train.rmsprop(lr); epsilon is the float32 backend's.
const ADAM = { beta1: 0.9, beta2: 0.999, epsilon: 1e-7 };
const RMSPROP = { decay: 0.9, momentum: 0, epsilon: 1e-7 };

/**
 * An optimizer's whole state, laid out as tfjs's `getWeights()` lays it out: the iteration
 * count, then slot arrays slot kind by slot kind (Adam: every `m`, then every `v`; RMSProp:
 * every mean square, then every moment; SGD: none), then Adam's running products beta1^t and
 * beta2^t (tfjs recomputes them with pow() on restore, which is not bit-identical).
 */
export interface OptimizerState {
  name: OptimizerName;
  iteration: number;
  slots: Float32Array[];
  products: number[];
}

/** Updates variables in place from their gradients, one call per training step. */
export interface ArrayOptimizer {
  readonly name: OptimizerName;
  /** `values[i] -= update(gradients[i])`; `values` and `gradients` in the same order every call. */
  apply(values: Float32Array[], gradients: Float32Array[]): void;
  getState(): OptimizerState;
  /** Throws when the state belongs to another optimizer or to variables of other sizes. */
  setState(state: OptimizerState): void;
}

/** Slot arrays per kind for the given variable sizes (created on the first step, as tfjs does). */
function zeroSlots(kinds: number, sizes: readonly number[]): Float32Array[] {
  const slots: Float32Array[] = [];
  for (let k = 0; k < kinds; k++) for (const size of sizes) slots.push(new Float32Array(size));
  return slots;
}

function checkState(name: OptimizerName, kinds: number, numProducts: number, state: OptimizerState): void {
  if (state.name !== name) throw new Error(`optimizer state is for ${state.name}, the run uses ${name}`);
  if (kinds === 0 ? state.slots.length > 0 : state.slots.length % kinds !== 0) {
    throw new Error(`${name} state has ${state.slots.length} slot arrays, expected ${kinds} per variable`);
  }
  if (state.products.length !== numProducts) {
    throw new Error(`${name} state has ${state.products.length} running products, expected ${numProducts}`);
  }
}

function sizesMatch(slots: readonly Float32Array[], values: readonly Float32Array[], kinds: number): void {
  if (slots.length === 0) return;
  if (slots.length !== kinds * values.length) {
    throw new Error(
      `optimizer state holds ${slots.length / kinds} variables, the model has ${values.length}`,
    );
  }
  values.forEach((value, i) => {
    const slot = slots[i] as Float32Array;
    if (slot.length !== value.length) {
      throw new Error(
        `optimizer state for variable ${i} holds ${slot.length} values, the variable has ${value.length}`,
      );
    }
  });
}

function adam(learningRate: number): ArrayOptimizer {
  const b1 = f(ADAM.beta1);
  const b2 = f(ADAM.beta2);
  const oneMinusB1 = f(1 - ADAM.beta1);
  const oneMinusB2 = f(1 - ADAM.beta2);
  const eps = f(ADAM.epsilon);
  const negLr = f(-learningRate);
  let iteration = 0;
  let slots: Float32Array[] = [];
  let acc1 = b1;
  let acc2 = b2;
  return {
    name: "adam",
    apply(values, gradients) {
      if (slots.length === 0)
        slots = zeroSlots(
          2,
          values.map((v) => v.length),
        );
      sizesMatch(slots, values, 2);
      const n = values.length;
      const oneMinusAcc1 = f(1 - acc1);
      const oneMinusAcc2 = f(1 - acc2);
      for (let i = 0; i < n; i++) {
        const w = values[i] as Float32Array;
        const g = gradients[i] as Float32Array;
        const m = slots[i] as Float32Array;
        const v = slots[n + i] as Float32Array;
        for (let j = 0; j < w.length; j++) {
          const gj = g[j] as number;
          const mj = f(f((m[j] as number) * b1) + f(gj * oneMinusB1));
          const vj = f(f((v[j] as number) * b2) + f(f(gj * gj) * oneMinusB2));
          m[j] = mj;
          v[j] = vj;
          const mHat = f(mj / oneMinusAcc1);
          const vHat = f(vj / oneMinusAcc2);
          w[j] = f(f(f(mHat / f(f(Math.sqrt(vHat)) + eps)) * negLr) + (w[j] as number));
        }
      }
      acc1 = f(acc1 * b1);
      acc2 = f(acc2 * b2);
      iteration++;
    },
    getState: () => ({ name: "adam", iteration, slots: slots.map((s) => s.slice()), products: [acc1, acc2] }),
    setState(state) {
      checkState("adam", 2, 2, state);
      iteration = state.iteration;
      slots = state.slots.map((s) => s.slice());
      [acc1, acc2] = state.products as [number, number];
    },
  };
}

function sgd(learningRate: number): ArrayOptimizer {
  const c = f(-learningRate);
  let iteration = 0;
  return {
    name: "sgd",
    apply(values, gradients) {
      values.forEach((w, i) => {
        const g = gradients[i] as Float32Array;
        for (let j = 0; j < w.length; j++) w[j] = f(f(c * (g[j] as number)) + (w[j] as number));
      });
      iteration++;
    },
    getState: () => ({ name: "sgd", iteration, slots: [], products: [] }),
    setState(state) {
      checkState("sgd", 0, 0, state);
      iteration = state.iteration;
    },
  };
}

function rmsprop(learningRate: number): ArrayOptimizer {
  const decay = f(RMSPROP.decay);
  const oneMinusDecay = f(1 - RMSPROP.decay);
  const momentum = f(RMSPROP.momentum);
  const eps = f(RMSPROP.epsilon);
  const lr = f(learningRate);
  let iteration = 0;
  let slots: Float32Array[] = [];
  return {
    name: "rmsprop",
    apply(values, gradients) {
      if (slots.length === 0)
        slots = zeroSlots(
          2,
          values.map((v) => v.length),
        );
      sizesMatch(slots, values, 2);
      const n = values.length;
      for (let i = 0; i < n; i++) {
        const w = values[i] as Float32Array;
        const g = gradients[i] as Float32Array;
        const ms = slots[i] as Float32Array;
        const mom = slots[n + i] as Float32Array;
        for (let j = 0; j < w.length; j++) {
          const gj = g[j] as number;
          const msj = f(f((ms[j] as number) * decay) + f(f(gj * gj) * oneMinusDecay));
          const momj = f(f((mom[j] as number) * momentum) + f(f(gj * lr) / f(Math.sqrt(f(msj + eps)))));
          ms[j] = msj;
          mom[j] = momj;
          w[j] = f((w[j] as number) - momj);
        }
      }
      iteration++;
    },
    getState: () => ({ name: "rmsprop", iteration, slots: slots.map((s) => s.slice()), products: [] }),
    setState(state) {
      checkState("rmsprop", 2, 0, state);
      iteration = state.iteration;
      slots = state.slots.map((s) => s.slice());
    },
  };
}

/**
 * An optimizer over Float32Arrays with tfjs's update rule and defaults for `name`.
 * Throws when `learningRate` is not a positive finite number.
 * @example
 * const opt = arrayOptimizer("adam"); opt.apply([weights], [gradients]);
 */
export function arrayOptimizer(name: OptimizerName, learningRate?: number): ArrayOptimizer {
  const lr = learningRate ?? DEFAULT_LEARNING_RATES[name];
  if (!Number.isFinite(lr) || lr <= 0) throw new Error(`learningRate must be a positive number, got ${lr}`);
  switch (name) {
    case "adam":
      return adam(lr);
    case "sgd":
      return sgd(lr);
    case "rmsprop":
      return rmsprop(lr);
  }
}
