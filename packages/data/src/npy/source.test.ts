import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { tempDir } from "../row-index/test-helpers.ts";
import { arraySource } from "../sources/array.ts";
import { parseNpy } from "./parse.ts";
import { npySource } from "./source.ts";

/** `.npy` bytes as `np.save` writes them: magic, version, header dict padded to 64, data. */
function npy(
  descr: string,
  shape: number[],
  data: ArrayBufferView,
  options: { version?: 1 | 2; fortran?: boolean } = {},
) {
  const version = options.version ?? 1;
  const dims = shape.length === 1 ? `${shape[0]},` : shape.join(", ");
  let header = `{'descr': '${descr}', 'fortran_order': ${options.fortran ? "True" : "False"}, 'shape': (${dims}), }`;
  const prefix = version === 1 ? 10 : 12;
  header += " ".repeat(64 - ((prefix + header.length + 1) % 64)) + "\n";
  const head = Buffer.alloc(prefix);
  Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]).copy(head);
  if (version === 1) head.writeUInt16LE(header.length, 8);
  else head.writeUInt32LE(header.length, 8);
  return Buffer.concat([
    head,
    Buffer.from(header, "latin1"),
    Buffer.from(data.buffer, data.byteOffset, data.byteLength),
  ]);
}

const dir = tempDir("stepwise-npy-");
async function write(name: string, bytes: Buffer): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, bytes);
  return path;
}

describe("npySource", () => {
  it("any float64 x [N, F] and int64 y [N] → the samples arraySource gives for the same values", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: 1, max: 5 }),
        fc.array(fc.double({ noNaN: true, min: -1e30, max: 1e30 }), { minLength: 100, maxLength: 100 }),
        fc.constantFrom<1 | 2>(1, 2),
        async (numSamples, numFeatures, pool, version) => {
          const values = Float64Array.from(
            { length: numSamples * numFeatures },
            (_, i) => pool[i % 100] as number,
          );
          const labels = BigInt64Array.from({ length: numSamples }, (_, i) => BigInt(i % 3));
          const x = await write("x.npy", npy("<f8", [numSamples, numFeatures], values, { version }));
          const y = await write("y.npy", npy("<i8", [numSamples], labels, { version }));
          const source = await npySource({ x, y });
          const reference = arraySource({
            x: Float32Array.from(values),
            y: Array.from(labels, Number),
            numFeatures,
          });
          expect(source.numSamples).toBe(numSamples);
          for (let i = 0; i < numSamples; i++) expect(source.get(i)).toEqual(reference.get(i));
        },
      ),
      { numRuns: 30 },
    );
  });

  it("float32 x of shape [N] and y [N, 1] → one feature per sample, values as saved", async () => {
    const x = await write("x1.npy", npy("<f4", [3], Float32Array.of(0.1, -2, 3.5)));
    const y = await write("y1.npy", npy("<f4", [3, 1], Float32Array.of(1, 0, 1)));
    const source = await npySource({ x, y });
    expect(source.numFeatures).toBe(1);
    expect([...source.get(0).features]).toEqual([Math.fround(0.1)]);
    expect(source.get(2).label).toBe(1);
  });

  it("y with another sample count → DataError naming y's file and both shapes", async () => {
    const x = await write("x2.npy", npy("<f4", [3, 2], new Float32Array(6)));
    const y = await write("y2.npy", npy("<f4", [4], new Float32Array(4)));
    await expect(npySource({ x, y })).rejects.toThrow(
      /y2\.npy: expected shape \[3\] or \[3, 1\] to match x \[3, 2\], got \[4\]/,
    );
  });

  it("big-endian, Fortran-order, string and truncated arrays → DataError saying what to do", () => {
    expect(() => parseNpy(npy(">f8", [1], new Float64Array(1)), "b.npy")).toThrow(
      /b\.npy: dtype >f8 is big-endian/,
    );
    expect(() => parseNpy(npy("<f8", [1, 1], new Float64Array(1), { fortran: true }), "f.npy")).toThrow(
      /Fortran order/,
    );
    expect(() => parseNpy(npy("<U3", [1], new Uint8Array(12)), "s.npy")).toThrow(
      /"<U3" is not a number type/,
    );
    expect(() => parseNpy(npy("<f8", [4], new Float64Array(2)), "t.npy")).toThrow(/truncated data/);
    expect(() => parseNpy(Buffer.from("x,y\n1,2\n"), "c.csv")).toThrow(/c\.csv: not a NumPy \.npy file/);
  });

  it("a missing file → DataError file-not-found naming it", async () => {
    const y = await write("y3.npy", npy("<f4", [1], new Float32Array(1)));
    await expect(npySource({ x: join(dir, "nope.npy"), y })).rejects.toMatchObject({
      code: "file-not-found",
    });
  });
});
