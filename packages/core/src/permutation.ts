import { xoroshiro128plusFromState } from "pure-rand/generator/xoroshiro128plus";
import { nonNegativeInteger, PlanError, positiveInteger } from "./validate.ts";

/** Largest dataset a permutation can index: the Feistel halves must fit 26-bit integer math. */
export const MAX_PERMUTATION_SAMPLES = 2 ** 52;

const ROUNDS = 6;

/** A bijection on `[0, numSamples)`: `at(i)` is the sample at position `i`, `indexOf` inverts it. */
export interface Permutation {
  readonly numSamples: number;
  at(index: number): number;
  indexOf(sample: number): number;
}

// Seeds and passes may exceed 32 bits; splitmix-style finalisers spread every bit into the
// generator state so that (seed, pass) pairs that differ anywhere give unrelated keys.
function mix32(x: number): number {
  let h = x | 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return (h ^ (h >>> 16)) | 0;
}

function hi32(value: number): number {
  return Math.floor(value / 2 ** 32) | 0;
}

/**
 * Round keys for (seed, pass): drawn from pure-rand's xoroshiro128+ seeded with all 128 bits
 * of (seed, pass), so each pass of each seed gets its own independent shuffle.
 */
function roundKeys(seed: number, pass: number): Int32Array {
  const state = [
    mix32(seed ^ 0x9e3779b9),
    mix32(hi32(seed) ^ 0x85ebca6b),
    mix32(pass ^ 0xc2b2ae35),
    mix32(hi32(pass) ^ 0x27d4eb2f) | 1, // never the all-zero state
  ];
  const rng = xoroshiro128plusFromState(state);
  for (let i = 0; i < 8; i++) rng.next(); // leave the correlated start of the sequence behind
  const keys = new Int32Array(ROUNDS);
  for (let i = 0; i < ROUNDS; i++) keys[i] = rng.next();
  return keys;
}

/**
 * The seeded shuffle of pass `pass`: a keyed Feistel network over the smallest even-bit
 * domain ≥ numSamples, cycle-walked back into range. O(1) memory and O(1) expected time per
 * index (≤ 4 walks on average), so any position of any pass is reachable without replaying data.
 * Throws `PlanError` for a non-integer or negative seed/pass, or numSamples outside [1, 2^52].
 * @example permutation({ numSamples: 10, seed: 42, pass: 0 }).at(3) // some index in [0, 10)
 */
export function permutation(options: { numSamples: number; seed: number; pass: number }): Permutation {
  const numSamples = positiveInteger("numSamples", options.numSamples);
  const seed = nonNegativeInteger("seed", options.seed);
  const pass = nonNegativeInteger("pass", options.pass);
  if (numSamples > MAX_PERMUTATION_SAMPLES) {
    throw new PlanError(`numSamples must be at most 2^52 to shuffle, got ${numSamples}`);
  }
  const bits = Math.max(2, Math.ceil(Math.log2(numSamples)));
  const halfBits = Math.ceil(bits / 2);
  const half = 2 ** halfBits;
  const mask = half - 1;
  const keys = roundKeys(seed, pass);

  const round = (key: number, right: number): number => mix32(right ^ key) & mask;

  const forward = (x: number): number => {
    let left = Math.floor(x / half);
    let right = x % half;
    for (let r = 0; r < ROUNDS; r++) {
      const next = left ^ round(keys[r] as number, right);
      left = right;
      right = next;
    }
    return left * half + right;
  };
  const backward = (x: number): number => {
    let left = Math.floor(x / half);
    let right = x % half;
    for (let r = ROUNDS - 1; r >= 0; r--) {
      const prev = right ^ round(keys[r] as number, left);
      right = left;
      left = prev;
    }
    return left * half + right;
  };
  const walk = (step: (x: number) => number, name: string, value: number): number => {
    if (!Number.isSafeInteger(value) || value < 0 || value >= numSamples) {
      throw new PlanError(`${name} must be an integer in [0, ${numSamples}), got ${value}`);
    }
    // Cycle walking: the domain's permutation restricted to [0, N) is itself a bijection.
    let x = step(value);
    while (x >= numSamples) x = step(x);
    return x;
  };
  return {
    numSamples,
    at: (index) => walk(forward, "index", index),
    indexOf: (sample) => walk(backward, "sample", sample),
  };
}

/** The identity order, for unshuffled passes; same interface as `permutation`. */
export function identityPermutation(numSamples: number): Permutation {
  positiveInteger("numSamples", numSamples);
  const check = (name: string, value: number): number => {
    if (!Number.isSafeInteger(value) || value < 0 || value >= numSamples) {
      throw new PlanError(`${name} must be an integer in [0, ${numSamples}), got ${value}`);
    }
    return value;
  };
  return { numSamples, at: (i) => check("index", i), indexOf: (s) => check("sample", s) };
}

/** A 32-bit seed for pass `pass` of run seed `seed`, for consumers (e.g. buffer shuffles) that need a plain seed. */
export function passSeed(seed: number, pass: number): number {
  nonNegativeInteger("seed", seed);
  nonNegativeInteger("pass", pass);
  return (roundKeys(seed, pass)[0] as number) >>> 0;
}
