import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import * as tf from "@tensorflow/tfjs";

const MODEL_FILE = "model.json";
const WEIGHTS_FILE = "weights.bin";

/** Writes `data` to `path` through a temporary sibling and a rename, so readers never see half a file. */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const temp = `${path}.tmp-${process.pid}`;
  await writeFile(temp, data);
  await rename(temp, path);
}

function directoryOf(target: string): string {
  if (target.startsWith("file://")) {
    // Accept both proper file URLs and the tfjs-node style `file://relative/dir`.
    return target.startsWith("file:///") ? fileURLToPath(target) : resolve(target.slice("file://".length));
  }
  return resolve(target);
}

/**
 * A tfjs IOHandler storing a model as `DIR/model.json` + `DIR/weights.bin`, the layout
 * `tf.loadLayersModel` reads. tfjs-node (which ships such a handler) cannot be installed here.
 */
export function fileHandler(target: string): tf.io.IOHandler {
  const dir = directoryOf(target);
  return {
    async save(artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
      if (artifacts.modelTopology instanceof ArrayBuffer) {
        throw new Error("file handler: binary model topologies are not supported");
      }
      await mkdir(dir, { recursive: true });
      const weightData =
        artifacts.weightData === undefined
          ? new ArrayBuffer(0)
          : tf.io.CompositeArrayBuffer.join(artifacts.weightData);
      const modelJson: Record<string, unknown> = {
        modelTopology: artifacts.modelTopology,
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy,
        weightsManifest: [{ paths: [WEIGHTS_FILE], weights: artifacts.weightSpecs ?? [] }],
      };
      if (artifacts.trainingConfig) modelJson.trainingConfig = artifacts.trainingConfig;
      if (artifacts.userDefinedMetadata) modelJson.userDefinedMetadata = artifacts.userDefinedMetadata;
      await writeFileAtomic(join(dir, WEIGHTS_FILE), new Uint8Array(weightData));
      await writeFileAtomic(join(dir, MODEL_FILE), JSON.stringify(modelJson));
      return {
        modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts),
      };
    },
    async load(): Promise<tf.io.ModelArtifacts> {
      const modelPath = join(dir, MODEL_FILE);
      const modelJson = JSON.parse(await readFile(modelPath, "utf8")) as tf.io.ModelJSON;
      return tf.io.getModelArtifactsForJSON(modelJson, async (manifest) => {
        const specs: tf.io.WeightsManifestEntry[] = [];
        const buffers: ArrayBuffer[] = [];
        for (const group of manifest) {
          specs.push(...group.weights);
          for (const path of group.paths) {
            const bytes = await readFile(join(dirname(modelPath), path));
            buffers.push(
              bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer,
            );
          }
        }
        return [specs, tf.io.CompositeArrayBuffer.join(buffers)];
      });
    },
  };
}

let registered = false;

/** Registers `file://` save and load routers with tf.io (idempotent). */
export function registerFileRouters(): void {
  if (registered) return;
  registered = true;
  type Router = Parameters<typeof tf.io.registerSaveRouter>[0];
  const router = ((url: string | string[]) => {
    const target = Array.isArray(url) ? url[0] : url;
    if (typeof target !== "string" || !target.startsWith("file://")) return null;
    // The router is handed the URL of the model directory or of model.json itself.
    return fileHandler(target.endsWith(`/${MODEL_FILE}`) ? target.slice(0, -MODEL_FILE.length - 1) : target);
  }) as Router; // tfjs asks every router and skips the ones that return null
  tf.io.registerSaveRouter(router);
  tf.io.registerLoadRouter(router);
}

/** `file://` URL of a model directory, for `model.save` and `tf.loadLayersModel`. */
export function modelUrl(dir: string): string {
  return pathToFileURL(resolve(dir)).href;
}

/** Removes a directory tree if present. */
export async function removeTree(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}
