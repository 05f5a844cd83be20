import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parse } from "csv-parse/sync";
import { afterAll, describe, expect, it } from "vitest";
import { mixedCsv, numericCsv } from "./generate.ts";
import { median } from "./report.ts";

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(path.join(tmpdir(), "stepwise-bench-"));
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe("numericCsv", () => {
  it("same seed in two folders → byte-identical files with header, numRows rows and integer labels", async () => {
    const a = await numericCsv(tempDir(), { numRows: 50, numFeatures: 3, seed: 7 });
    const b = await numericCsv(tempDir(), { numRows: 50, numFeatures: 3, seed: 7 });
    const text = readFileSync(a.file, "utf8");
    expect(readFileSync(b.file, "utf8")).toBe(text);
    const [header, ...rows] = text.trimEnd().split("\n");
    expect(header).toBe("f0,f1,f2,label");
    expect(rows).toHaveLength(50);
    for (const row of rows) expect(row).toMatch(/^(-?\d+\.\d{4},){3}\d$/);
    expect(a.numBytes).toBe(Buffer.byteLength(text));
  });

  it("different seed → different values", async () => {
    const a = await numericCsv(tempDir(), { numRows: 20, numFeatures: 2, seed: 1 });
    const b = await numericCsv(tempDir(), { numRows: 20, numFeatures: 2, seed: 2 });
    expect(readFileSync(a.file, "utf8")).not.toBe(readFileSync(b.file, "utf8"));
  });
});

describe("mixedCsv", () => {
  it("same seed → same bytes; csv-parse reads 13 fields a row, quoted cities and comments, some empty numbers, no line break inside a field", async () => {
    const a = await mixedCsv(tempDir(), { numRows: 400, seed: 3 });
    const b = await mixedCsv(tempDir(), { numRows: 400, seed: 3 });
    const text = readFileSync(a.file, "utf8");
    expect(readFileSync(b.file, "utf8")).toBe(text);
    const [header, ...rows] = parse(text) as string[][];
    expect(header).toEqual(["id", ...a.numericColumns, "city", "date", "comment", "label"]);
    expect(rows).toHaveLength(400);
    expect(text.split("\n")).toHaveLength(402); // header, rows, final empty string: no quoted line breaks
    expect(new Set(rows.map((r) => r[9]))).toEqual(new Set(a.categories));
    expect(rows.every((r) => a.classes.includes(r[12] as string))).toBe(true);
    expect(rows.some((r) => r.slice(1, 9).includes(""))).toBe(true);
    expect(text).toContain('"Washington, D.C."');
    for (const r of rows) expect(r[10]).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });
});

describe("median", () => {
  it.each([
    [[3], 3],
    [[5, 1, 3], 3],
    [[4, 1, 3, 2], 2.5],
  ])("%j → %d", (values, expected) => {
    expect(median(values)).toBe(expected);
  });
});
