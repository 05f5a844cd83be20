import { mkdir, realpath, rm } from "node:fs/promises";
import { isAbsolute, join, relative, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import * as tf from "@tensorflow/tfjs";
import { FileError } from "../errors.ts";
import { fileError, readBytes, readJsonFile, writeFileAtomic } from "../files.ts";

const MODEL_FILE = "model.json";
const WEIGHTS_FILE = "weights.bin";

export { writeFileAtomic };

function inside(dir: string, path: string): boolean {
  const rel = relative(dir, path);
  return rel !== "" && !rel.startsWith("..") && !isAbsolute(rel);
}

/**
 * The file a model.json's weights manifest names, refused (`FileError` naming model.json) when
 * it is not a file inside the model's folder: an absolute path, `../` or a symbolic link out of
 * it. A model folder may come from anyone; its weights must not read the rest of the disk.
 */
export async function weightFilePath(modelPath: string, dir: string, path: unknown): Promise<string> {
  const refuse = (why: string) =>
    new FileError(
      modelPath,
      `${modelPath}: weight file ${JSON.stringify(path)} ${why}; a model's weight files must lie in its folder beside model.json`,
      "invalid",
    );
  if (typeof path !== "string" || path === "") throw refuse("is not a file name");
  if (isAbsolute(path) || /^[a-zA-Z]:[\\/]/.test(path)) throw refuse("is an absolute path");
  const target = resolve(dir, path);
  if (!inside(resolve(dir), target)) throw refuse("lies outside the model folder");
  const [realDir, realTarget] = await Promise.all([realpath(dir), realpath(target).catch(() => target)]);
  if (!inside(realDir, realTarget)) throw refuse("leads outside the model folder (a symbolic link)");
  return target;
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
      await mkdir(dir, { recursive: true }).catch((error: unknown) => {
        throw fileError(dir, "write", error);
      });
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
      const modelJson = await readJsonFile<tf.io.ModelJSON>(modelPath);
      return tf.io.getModelArtifactsForJSON(modelJson, async (manifest) => {
        const specs: tf.io.WeightsManifestEntry[] = [];
        const buffers: ArrayBuffer[] = [];
        for (const group of manifest) {
          specs.push(...group.weights);
          for (const path of group.paths) {
            const bytes = await readBytes(await weightFilePath(modelPath, dir, path));
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
