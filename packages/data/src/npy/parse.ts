import { DataError } from "../errors.ts";

/** A NumPy array read from `.npy` bytes: its shape and its values, row-major. */
export interface NpyArray {
  shape: number[];
  /** The `descr` of the header, e.g. `<f4`. */
  dtype: string;
  data: Float32Array | Float64Array;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

type Reader = (view: DataView, at: number) => number;
const TYPES: Record<string, { bytes: number; read: Reader }> = {
  f4: { bytes: 4, read: (v, at) => v.getFloat32(at, true) },
  f8: { bytes: 8, read: (v, at) => v.getFloat64(at, true) },
  i1: { bytes: 1, read: (v, at) => v.getInt8(at) },
  i2: { bytes: 2, read: (v, at) => v.getInt16(at, true) },
  i4: { bytes: 4, read: (v, at) => v.getInt32(at, true) },
  i8: { bytes: 8, read: (v, at) => Number(v.getBigInt64(at, true)) },
  u1: { bytes: 1, read: (v, at) => v.getUint8(at) },
  u2: { bytes: 2, read: (v, at) => v.getUint16(at, true) },
  u4: { bytes: 4, read: (v, at) => v.getUint32(at, true) },
  u8: { bytes: 8, read: (v, at) => Number(v.getBigUint64(at, true)) },
  b1: { bytes: 1, read: (v, at) => v.getUint8(at) },
};

/**
 * Reads a NumPy `.npy` file's bytes (format versions 1 to 3): a little-endian (or byte-sized)
 * number dtype in C order. Hand-written: the format is a magic string, a header length and a
 * Python dict literal with three keys, and no maintained npm package reads it without also
 * pulling in a tensor library. Throws `DataError` naming `file` for anything else (a big-endian
 * or Fortran-order array, strings or objects, a truncated file).
 * @example parseNpy(await readFile("x.npy"), "x.npy").shape // [150, 4]
 */
export function parseNpy(bytes: Uint8Array, file: string): NpyArray {
  const fail = (reason: string) => new DataError({ code: "bad-schema", file, reason });
  if (bytes.length < 10 || !MAGIC.every((b, i) => bytes[i] === b))
    throw fail("not a NumPy .npy file (no \\x93NUMPY magic)");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const major = bytes[6] as number;
  if (major < 1 || major > 3) throw fail(`unsupported .npy format version ${major}`);
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = major === 1 ? 10 : 12;
  if (bytes.length < start + headerLength) throw fail("truncated header");
  const header = new TextDecoder(major === 3 ? "utf-8" : "latin1").decode(
    bytes.subarray(start, start + headerLength),
  );
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) {
    throw fail(`header is not a .npy header dict: ${header.trim().slice(0, 80)}`);
  }
  if (fortran === "True")
    throw fail("the array is in Fortran order: save it with np.ascontiguousarray first");
  const match = /^([<>|=])([fiub])(\d)$/.exec(descr);
  const type = match ? TYPES[`${match[2]}${match[3]}`] : undefined;
  if (match === null || type === undefined) {
    throw fail(`dtype ${JSON.stringify(descr)} is not a number type (expected e.g. <f4, <f8, <i8, |u1)`);
  }
  if (match[1] === ">" && type.bytes > 1)
    throw fail(`dtype ${descr} is big-endian: save it as little-endian (astype('<f4'))`);
  const shape = shapeText
    .split(",")
    .map((part) => part.trim())
    .filter((part) => part !== "")
    .map(Number);
  if (shape.some((n) => !Number.isSafeInteger(n) || n < 0)) throw fail(`bad shape (${shapeText})`);
  const count = shape.reduce((a, b) => a * b, 1);
  const dataStart = start + headerLength;
  if (bytes.length < dataStart + count * type.bytes) {
    throw fail(
      `truncated data: shape (${shape.join(", ")}) needs ${count * type.bytes} bytes, the file has ${bytes.length - dataStart}`,
    );
  }
  const data = descr.slice(1) === "f4" ? new Float32Array(count) : new Float64Array(count);
  for (let i = 0; i < count; i++) data[i] = type.read(view, dataStart + i * type.bytes);
  return { shape, dtype: descr, data };
}
