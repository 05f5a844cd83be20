import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { inferSchema } from "./infer.ts";

let dir: string;
let serial = 0;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "stepwise-infer-"));
});
async function file(content: string): Promise<string> {
  const path = join(dir, `f${serial++}.csv`);
  await writeFile(path, content);
  return path;
}

const colors = ["red", "green", "blue"];
const rows = Array.from({ length: 50 }, (_, i) => ({
  x: (i * 37) % 11,
  c: i < 40 ? colors[i % 2] : "blue",
  y: i % 3,
}));
const text = `x,c,y\n${rows.map((r) => `${r.x},${r.c},${r.y}`).join("\n")}\n`;

describe("inferSchema", () => {
  it("statistics and vocabularies → over all rows, not just the sample", async () => {
    const schema = await inferSchema({ paths: await file(text), label: "y", sampleRows: 5 });
    const xs = rows.map((r) => r.x);
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    const std = Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / xs.length);
    expect(schema.features[0]).toMatchObject({
      name: "x",
      kind: "numeric",
      stats: { count: 50, min: 0, max: 10 },
    });
    const stats = schema.features[0]?.kind === "numeric" ? schema.features[0].stats : null;
    expect(stats?.mean).toBeCloseTo(mean, 12);
    expect(stats?.std).toBeCloseTo(std, 12);
    expect(schema.features[1]).toMatchObject({
      name: "c",
      kind: "categorical",
      vocabulary: ["blue", "green", "red"],
    });
    expect(schema.label).toEqual({ name: "y", kind: "integer-classes", numClasses: 3 });
    expect(schema.fit).toEqual({ rowsRead: 50, rowsUsed: 50, rowsSkipped: 0, sampleRows: 5 });
    expect(JSON.parse(JSON.stringify(schema))).toEqual(schema);
  });

  it("skip policy → bad rows counted and kept out of the statistics", async () => {
    const path = await file("x,y\n1,a\nzz,b\n3,a\n4\n,b\n");
    const schema = await inferSchema({ paths: path, label: "y", numeric: ["x"], onBadRecord: "skip" });
    expect(schema.fit).toMatchObject({ rowsRead: 5, rowsUsed: 2, rowsSkipped: 3 });
    expect(schema.features[0]).toMatchObject({ stats: { count: 2, mean: 2 } });
  });

  it("error policy → the first bad row's one-line message", async () => {
    const path = await file("x,y\n1,a\nzz,b\n");
    await expect(inferSchema({ paths: path, label: "y", numeric: ["x"] })).rejects.toThrow(
      `${path}:3: column 1 "x" expected a number, got "zz"`,
    );
  });

  it("files with columns in different orders → one schema, values taken by name", async () => {
    const a = await file("x,y\n1,a\n2,b\n");
    const b = await file("y,x\nb,3\na,4\n");
    const schema = await inferSchema({ paths: [a, b], label: "y", sampleRows: 3 });
    expect(schema.features[0]).toMatchObject({ stats: { count: 4, mean: 2.5, min: 1, max: 4 } });
  });

  it.each([
    ["a header-only file", "no-data", ["x,y\n"]],
    ["only bad rows under skip", "no-data", ["x,y\nq,1\nr,2\n"]],
    ["a later part without the label column", "missing-column", ["x,y\n1,a\n2,b\n", "x\n3\n"]],
    ["an empty part", "empty-file", ["x,y\n1,a\n", ""]],
  ])("%s → DataError %s", async (_name, code, contents) => {
    const paths = await Promise.all(contents.map(file));
    await expect(
      inferSchema({ paths, label: "y", numeric: ["x"], onBadRecord: "skip" }),
    ).rejects.toMatchObject({ code });
  });
});
