// The trainer's optimizers, applied to Float32Arrays on the CPU side. They follow tfjs's own
// update rules op by op with float32 rounding after every operation (`Math.fround` of a double
// result is the float32 result for + - * / and sqrt), so an update equals what tf.train.adam /
// sgd / rmsprop would compute from the same gradients, bit for bit on the cpu backend. Why not
// tfjs's optimizers: Adam costs ~14 kernel dispatches per variable per step (~90 for the
// default MLP, 0.37 ms of a 1.36 ms step on wasm); here the whole update takes microseconds.
import type * as tf from "@tensorflow/tfjs";
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

/** Hyperparameters besides the learning rate, as tfjs's `getConfig()` names them; unset ones take tfjs's defaults. */
export interface OptimizerSettings {
  /** Adam */
  beta1?: number;
  beta2?: number;
  /** Adam and RMSProp */
  epsilon?: number;
  /** RMSProp */
  decay?: number;
  momentum?: number;
}

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

/** What sets one optimizer apart: its slot arrays per variable and its per-variable update. */
interface Rule {
  name: OptimizerName;
  /** Slot arrays kept per variable (Adam: m and v; RMSProp: mean square and moment; SGD: none). */
  kinds: number;
  /** Updates one variable in place from its gradient and its slot arrays (one per kind). */
  update(w: Float32Array, g: Float32Array, slots: Float32Array[]): void;
  /** Step-wide values outside the slots (Adam's running products), updated after every step. */
  products?: { count: number; get(): number[]; set(values: number[]): void; afterStep(): void };
}

function optimizerOf(rule: Rule): ArrayOptimizer {
  let iteration = 0;
  let slots: Float32Array[] = [];
  return {
    name: rule.name,
    apply(values, gradients) {
      if (slots.length === 0)
        slots = zeroSlots(
          rule.kinds,
          values.map((v) => v.length),
        );
      sizesMatch(slots, values, rule.kinds);
      const n = values.length;
      values.forEach((w, i) => {
        const own = Array.from({ length: rule.kinds }, (_, k) => slots[k * n + i] as Float32Array);
        rule.update(w, gradients[i] as Float32Array, own);
      });
      rule.products?.afterStep();
      iteration++;
    },
    getState: () => ({
      name: rule.name,
      iteration,
      slots: slots.map((s) => s.slice()),
      products: rule.products?.get() ?? [],
    }),
    setState(state) {
      checkState(rule.name, rule.kinds, rule.products?.count ?? 0, state);
      iteration = state.iteration;
      slots = state.slots.map((s) => s.slice());
      rule.products?.set(state.products);
    },
  };
}

function adam(learningRate: number, settings: OptimizerSettings): ArrayOptimizer {
  const { beta1, beta2, epsilon } = { ...ADAM, ...settings };
  const b1 = f(beta1);
  const b2 = f(beta2);
  const oneMinusB1 = f(1 - beta1);
  const oneMinusB2 = f(1 - beta2);
  const eps = f(epsilon);
  const negLr = f(-learningRate);
  let acc1 = b1;
  let acc2 = b2;
  return optimizerOf({
    name: "adam",
    kinds: 2,
    update(w, g, [m, v]) {
      const oneMinusAcc1 = f(1 - acc1);
      const oneMinusAcc2 = f(1 - acc2);
      for (let j = 0; j < w.length; j++) {
        const gj = g[j] as number;
        const mj = f(f(((m as Float32Array)[j] as number) * b1) + f(gj * oneMinusB1));
        const vj = f(f(((v as Float32Array)[j] as number) * b2) + f(f(gj * gj) * oneMinusB2));
        (m as Float32Array)[j] = mj;
        (v as Float32Array)[j] = vj;
        const mHat = f(mj / oneMinusAcc1);
        const vHat = f(vj / oneMinusAcc2);
        w[j] = f(f(f(mHat / f(f(Math.sqrt(vHat)) + eps)) * negLr) + (w[j] as number));
      }
    },
    products: {
      count: 2,
      get: () => [acc1, acc2],
      set: (values) => {
        [acc1, acc2] = values as [number, number];
      },
      afterStep() {
        acc1 = f(acc1 * b1);
        acc2 = f(acc2 * b2);
      },
    },
  });
}

function sgd(learningRate: number): ArrayOptimizer {
  const c = f(-learningRate);
  return optimizerOf({
    name: "sgd",
    kinds: 0,
    update(w, g) {
      for (let j = 0; j < w.length; j++) w[j] = f(f(c * (g[j] as number)) + (w[j] as number));
    },
  });
}

function rmsprop(learningRate: number, settings: OptimizerSettings): ArrayOptimizer {
  const config = { ...RMSPROP, ...settings };
  const decay = f(config.decay);
  const oneMinusDecay = f(1 - config.decay);
  const momentum = f(config.momentum);
  const eps = f(config.epsilon);
  const lr = f(learningRate);
  return optimizerOf({
    name: "rmsprop",
    kinds: 2,
    update(w, g, [ms, mom]) {
      for (let j = 0; j < w.length; j++) {
        const gj = g[j] as number;
        const msj = f(f(((ms as Float32Array)[j] as number) * decay) + f(f(gj * gj) * oneMinusDecay));
        const momj = f(
          f(((mom as Float32Array)[j] as number) * momentum) + f(f(gj * lr) / f(Math.sqrt(f(msj + eps)))),
        );
        (ms as Float32Array)[j] = msj;
        (mom as Float32Array)[j] = momj;
        w[j] = f((w[j] as number) - momj);
      }
    },
  });
}

/**
 * An optimizer over Float32Arrays with tfjs's update rule for `name`, and tfjs's defaults for
 * what `learningRate` and `settings` leave unset. Throws when `learningRate` is not a positive
 * finite number or a setting is not finite.
 * @example
 * const opt = arrayOptimizer("adam", 0.01, { beta1: 0.8 }); opt.apply([weights], [gradients]);
 */
export function arrayOptimizer(
  name: OptimizerName,
  learningRate?: number,
  settings: OptimizerSettings = {},
): ArrayOptimizer {
  const lr = learningRate ?? DEFAULT_LEARNING_RATES[name];
  if (!Number.isFinite(lr) || lr <= 0) throw new Error(`learningRate must be a positive number, got ${lr}`);
  for (const [key, value] of Object.entries(settings)) {
    if (value !== undefined && !Number.isFinite(value))
      throw new Error(`${key} must be a finite number, got ${value}`);
  }
  switch (name) {
    case "adam":
      return adam(lr, settings);
    case "sgd":
      return sgd(lr);
    case "rmsprop":
      return rmsprop(lr, settings);
  }
}

/** The optimizers tfjs names by these classes, as the fused step can replay them. */
export const FUSED_OPTIMIZERS: Readonly<Record<string, OptimizerName>> = {
  Adam: "adam",
  SGD: "sgd",
  RMSProp: "rmsprop",
};

/**
 * An `ArrayOptimizer` equal to a tfjs optimizer (its class and `getConfig()`: learning rate,
 * beta1/beta2/epsilon, decay/momentum/epsilon), or why there is none (one phrase): another
 * class (Momentum, Adagrad, …), centered RMSProp, or a setting out of range.
 */
export function arrayOptimizerFor(optimizer: tf.Optimizer): ArrayOptimizer | string {
  const className = optimizer.getClassName();
  const name = FUSED_OPTIMIZERS[className];
  if (!name) return `the optimizer is ${className}, which the fused step does not implement`;
  const config = optimizer.getConfig() as Record<string, unknown>;
  if (config.centered === true) return "the optimizer is a centered RMSProp";
  const number = (key: string) => (typeof config[key] === "number" ? (config[key] as number) : undefined);
  const settings: OptimizerSettings = {};
  for (const key of ["beta1", "beta2", "epsilon", "decay", "momentum"] as const) {
    const value = number(key);
    if (value !== undefined) settings[key] = value;
  }
  try {
    return arrayOptimizer(name, number("learningRate"), settings);
  } catch (error) {
    return `the optimizer's ${(error as Error).message}`;
  }
}
