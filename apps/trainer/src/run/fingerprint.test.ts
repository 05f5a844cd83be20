import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { tempDir } from "../test-helpers.ts";
import { fingerprintChange, fingerprintData, hashJson } from "./fingerprint.ts";

let dir: string;
beforeEach(() => {
  dir = tempDir("fp-");
});

describe("data fingerprints", () => {
  it("a directory of part files → every data file fingerprinted, in natural order", async () => {
    await mkdir(join(dir, "parts"));
    for (const name of ["part-10.csv", "part-2.csv", ".hidden.csv"])
      await writeFile(join(dir, "parts", name), "a\n1\n");
    const prints = await fingerprintData(join(dir, "parts"));
    expect(prints.map((f) => f.path.slice(dir.length))).toEqual(["/parts/part-2.csv", "/parts/part-10.csv"]);
  });

  it("unchanged data → no change; same size, other content → content change; size change → size change", async () => {
    const file = join(dir, "d.csv");
    await writeFile(file, "a,b\n1,2\n");
    const saved = await fingerprintData(file);
    expect(fingerprintChange(saved, await fingerprintData(file))).toBeNull();
    await writeFile(file, "a,b\n1,3\n");
    expect(fingerprintChange(saved, await fingerprintData(file))).toMatch(/changed content$/);
    await writeFile(file, "a,b\n1,3\n4,5\n");
    expect(fingerprintChange(saved, await fingerprintData(file))).toMatch(/changed size \(8 → 12 bytes\)$/);
  });

  it("a file added to a glob → reported", async () => {
    await writeFile(join(dir, "a.csv"), "x\n1\n");
    const saved = await fingerprintData(join(dir, "*.csv"));
    await writeFile(join(dir, "b.csv"), "x\n2\n");
    expect(fingerprintChange(saved, await fingerprintData(join(dir, "*.csv")))).toMatch(/b\.csv was added$/);
  });

  it("objects with keys in another order → the same hash", () => {
    expect(hashJson({ a: 1, b: [1, { c: 2, d: 3 }] })).toBe(hashJson({ b: [1, { d: 3, c: 2 }], a: 1 }));
    expect(hashJson({ a: 1 })).not.toBe(hashJson({ a: 2 }));
  });
});
