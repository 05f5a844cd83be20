import { totalmem } from "node:os";
import { formatBytes } from "@stepwise/data/internals";
import { UsageError } from "./errors.ts";

/**
 * Most layers a model may have. tfjs walks a model's graph recursively when it builds one, and a
 * few thousand layers overflow the call stack (5000 dense layers do on Node 20's default stack);
 * 1000 leaves a wide margin and is far beyond any dense stack that trains well.
 */
export const MAX_LAYERS = 1000;

/** The wasm backend's heap: emscripten's 32-bit limit, 4 GiB less 64 KiB, for every tensor at once. */
export const WASM_HEAP_BYTES = 4294901760;

/** Copies of a batch alive at once: the pipeline's buffer, the next batch being prepared, the tensors. */
const BATCH_COPIES = 3;

/** Per-parameter float32 slots each optimizer keeps besides the weight (tfjs's adam: m, v; rmsprop: ms, mom). */
const OPTIMIZER_SLOTS: Record<string, number> = { adam: 2, rmsprop: 2, sgd: 0 };

/** The memory a run may use and what bounds it, for messages. */
export interface MemoryLimit {
  bytes: number;
  what: string;
}

/** This machine's memory: the smaller of its RAM and a cgroup limit, when one is set. */
export function machineMemory(): MemoryLimit {
  // Node 20 has process.constrainedMemory (experimental): 0 or undefined when no limit is set.
  const constrained =
    (process as { constrainedMemory?: () => number | undefined }).constrainedMemory?.() ?? 0;
  const total = totalmem();
  return constrained && constrained > 0 && constrained < total
    ? { bytes: constrained, what: "this process's memory limit" }
    : { bytes: total, what: "this machine's memory" };
}

/** Where a model's tensors live: the wasm heap (at most 4 GiB) or, on the cpu backend, the machine. */
export function tensorMemory(backend: "wasm" | "cpu", machine: MemoryLimit = machineMemory()): MemoryLimit {
  if (backend === "wasm" && WASM_HEAP_BYTES < machine.bytes)
    return { bytes: WASM_HEAP_BYTES, what: "the wasm backend's heap" };
  return machine;
}

/**
 * Refuses a batch whose buffers cannot fit in memory, before any is allocated (a huge
 * `--batch-size` would otherwise fail deep inside as `Invalid typed array length`).
 * Throws `UsageError` naming the size and the limit.
 * @example checkBatchMemory(32, 4) // fine; checkBatchMemory(2 ** 53 - 1, 4) throws
 */
export function checkBatchMemory(
  batchSize: number,
  numFeatures: number,
  limit: MemoryLimit = machineMemory(),
): void {
  const bytes = batchSize * (numFeatures + 1) * 4 * BATCH_COPIES;
  if (bytes <= limit.bytes) return;
  throw new UsageError(
    `--batch-size ${batchSize} needs ${formatBytes(bytes)} for its batch buffers (${numFeatures} features and a label, 4 bytes each, ${BATCH_COPIES} copies); the limit is ${formatBytes(limit.bytes)} (${limit.what}); lower --batch-size`,
  );
}

/** Parameters of a dense stack: (inputs + 1 bias) × units per layer. */
export function denseParams(numFeatures: number, widths: readonly number[]): number {
  let inputs = numFeatures;
  let params = 0;
  for (const units of widths) {
    params += (inputs + 1) * units;
    inputs = units;
  }
  return params;
}

/** What a model's size check needs; `widths` are the layers' output widths (activations per sample). */
export interface ModelSize {
  /** How the model was given, for messages (`--model mlp:64,32`). */
  given: string;
  layers: number;
  params: number;
  widths: readonly number[];
  batchSize: number;
  optimizer: string;
}

/**
 * Refuses a model too deep for tfjs to build, or too large for memory: its weights, their
 * gradients and the optimizer's slots (float32 each), plus one batch of activations and their
 * gradients, against `limit` (see `tensorMemory`). Checked before the model is built, so a model
 * that cannot fit fails at once with its size instead of minutes later inside the backend.
 * Throws `UsageError` naming the size and the limit.
 */
export function checkModelSize(model: ModelSize, limit: MemoryLimit): void {
  if (model.layers > MAX_LAYERS) {
    throw new UsageError(
      `${model.given} has ${model.layers} layers, more than the ${MAX_LAYERS} a model may have (tfjs builds models recursively and runs out of stack); use fewer, wider layers`,
    );
  }
  const slots = OPTIMIZER_SLOTS[model.optimizer] ?? 2;
  const weights = model.params * 4 * (2 + slots);
  const activations = model.batchSize * model.widths.reduce((sum, units) => sum + units, 0) * 4 * 2;
  if (weights + activations <= limit.bytes) return;
  throw new UsageError(
    `${model.given} needs ${formatBytes(weights + activations)}: ${model.params.toLocaleString("en-US")} parameters with their gradients and ${model.optimizer}'s ${slots} slots (${formatBytes(weights)}) and the activations of a batch of ${model.batchSize} (${formatBytes(activations)}); the limit is ${formatBytes(limit.bytes)} (${limit.what}); use a smaller model${limit.what.includes("wasm") ? " or --backend cpu" : ""}`,
  );
}

/** Layers in a tfjs model.json topology (Sequential or functional), or null when it has no layer list. */
export function topologyLayers(json: unknown): number | null {
  const topology = (json as { modelTopology?: unknown } | null)?.modelTopology ?? json;
  const config = (topology as { config?: unknown } | null)?.config;
  const layers = Array.isArray(config) ? config : (config as { layers?: unknown } | null)?.layers;
  return Array.isArray(layers) ? layers.length : null;
}

/** Output widths of the Dense layers of a model.json topology, in order (other layers add no estimate). */
function topologyDenseWidths(json: unknown): number[] {
  const topology = (json as { modelTopology?: unknown } | null)?.modelTopology ?? json;
  const config = (topology as { config?: unknown } | null)?.config;
  const layers = Array.isArray(config) ? config : (config as { layers?: unknown } | null)?.layers;
  if (!Array.isArray(layers)) return [];
  return layers
    .map((layer) => (layer as { config?: { units?: unknown } } | null)?.config?.units)
    .filter(
      (units): units is number => typeof units === "number" && Number.isSafeInteger(units) && units > 0,
    );
}

/**
 * The model's size check of a training run, before it is built: `--model mlp:…` (with
 * `extraParams` for its embeddings; `numFeatures` is then the first dense layer's inputs), or the Dense
 * layers of `--model-json` (an estimate: other layers add nothing), against where its tensors
 * live. Throws `UsageError` naming the size and the limit.
 */
export async function checkTrainingSize(
  config: { model: string; modelJson?: string; batchSize: number; optimizer: string },
  shape: { numFeatures: number; outputUnits: number; hidden: () => number[]; extraParams?: number },
  backend: "wasm" | "cpu",
): Promise<void> {
  const machine = machineMemory();
  let given: string;
  let layers: number;
  let widths: number[];
  if (config.modelJson !== undefined) {
    const { readFile } = await import("node:fs/promises");
    let json: unknown;
    try {
      json = JSON.parse(await readFile(config.modelJson, "utf8"));
    } catch {
      return; // Loading the architecture reports an unreadable file with its own message.
    }
    given = `--model-json ${config.modelJson}`;
    layers = topologyLayers(json) ?? 0;
    widths = topologyDenseWidths(json);
  } else {
    widths = [...shape.hidden(), shape.outputUnits];
    // A spec of thousands of widths would make the message thousands of characters long.
    given =
      config.model.length > 60
        ? `--model ${config.model.slice(0, 40)}… (${widths.length - 1} hidden layers)`
        : `--model ${config.model}`;
    layers = widths.length;
  }
  checkModelSize(
    {
      given,
      layers,
      params: denseParams(shape.numFeatures, widths) + (shape.extraParams ?? 0),
      widths,
      batchSize: config.batchSize,
      optimizer: config.optimizer,
    },
    tensorMemory(backend, machine),
  );
}
