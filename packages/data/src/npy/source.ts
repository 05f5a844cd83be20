import { readFile } from "node:fs/promises";
import { DataError } from "../errors.ts";
import { arraySource, type RandomAccessSource } from "../sources/array.ts";
import { parseNpy } from "./parse.ts";

async function load(file: string) {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === "ENOENT";
    throw new DataError({
      code: missing ? "file-not-found" : "io",
      file,
      reason: missing ? "no such file" : `cannot read: ${(error as Error).message}`,
      cause: error,
    });
  }
  return parseNpy(bytes, file);
}

/**
 * A random-access source over NumPy arrays saved with `np.save`: `x` `[numSamples, numFeatures]`
 * (or `[numSamples]`: one feature) and `y` `[numSamples]` or `[numSamples, 1]` (class indices or
 * values), read into memory once and served as `arraySource` serves arrays. Throws `DataError`
 * naming the file for a missing or unreadable file, a dtype or layout it cannot read, or shapes
 * that do not match; `SourceError` (from `arraySource`) for a label that is not a finite number.
 * @example const source = await npySource({ x: "x_train.npy", y: "y_train.npy" })
 */
export async function npySource(files: { x: string; y: string }): Promise<RandomAccessSource> {
  const [x, y] = await Promise.all([load(files.x), load(files.y)]);
  if (x.shape.length < 1 || x.shape.length > 2) {
    throw new DataError({
      code: "bad-schema",
      file: files.x,
      reason: `expected shape [numSamples, numFeatures] or [numSamples], got [${x.shape.join(", ")}]`,
    });
  }
  const numSamples = x.shape[0] as number;
  const numFeatures = x.shape[1] ?? 1;
  const yOk =
    (y.shape.length === 1 || (y.shape.length === 2 && y.shape[1] === 1)) && y.shape[0] === numSamples;
  if (!yOk) {
    throw new DataError({
      code: "bad-schema",
      file: files.y,
      reason: `expected shape [${numSamples}] or [${numSamples}, 1] to match x [${x.shape.join(", ")}], got [${y.shape.join(", ")}]`,
    });
  }
  if (numSamples === 0 || numFeatures === 0) {
    throw new DataError({
      code: "no-data",
      file: files.x,
      reason: `no samples: shape [${x.shape.join(", ")}]`,
    });
  }
  const flat = x.data instanceof Float32Array ? x.data : Float32Array.from(x.data);
  return arraySource({ x: flat, y: y.data, numFeatures });
}
