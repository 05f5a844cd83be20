import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir } from "../row-index/test-helpers.ts";
import { resolveCsvFiles } from "./files.ts";

async function tree(names: readonly string[]): Promise<string> {
  const dir = tempDir("stepwise-files-");
  for (const name of names) {
    await mkdir(join(dir, name, ".."), { recursive: true });
    await writeFile(join(dir, name), "x\n1\n");
  }
  return dir;
}

describe("resolveCsvFiles", () => {
  it("directory → its data files in natural order, markers and hidden files left out", async () => {
    const dir = await tree([
      "part-10.csv",
      "part-2.csv.gz",
      "part-1.csv",
      "_SUCCESS",
      ".hidden.csv",
      "notes.md",
    ]);
    const files = await resolveCsvFiles(dir);
    expect(files).toEqual(["part-1.csv", "part-2.csv.gz", "part-10.csv"].map((n) => join(dir, n)));
  });

  it("glob → matching files in natural order", async () => {
    const dir = await tree(["d/b-10.csv", "d/b-9.csv", "d/skip.tsv"]);
    expect(await resolveCsvFiles(join(dir, "d", "b-*.csv"))).toEqual([
      join(dir, "d/b-9.csv"),
      join(dir, "d/b-10.csv"),
    ]);
  });

  it("explicit list → kept in the order given", async () => {
    const dir = await tree(["b.csv", "a.csv"]);
    const list = [join(dir, "b.csv"), join(dir, "a.csv")];
    expect(await resolveCsvFiles(list)).toEqual(list);
  });

  it.each([
    ["a missing file", (dir: string) => join(dir, "nope.csv"), "file-not-found"],
    ["a glob matching nothing", (dir: string) => join(dir, "*.parquet"), "no-files"],
    ["a directory without data files", (dir: string) => join(dir, "empty"), "no-files"],
    ["the same file twice", (dir: string) => [join(dir, "a.csv"), join(dir, "*.csv")], "duplicate-file"],
  ])("%s → DataError %s", async (_name, input, code) => {
    const dir = await tree(["a.csv", "empty/readme.md"]);
    await expect(resolveCsvFiles(input(dir))).rejects.toMatchObject({ name: "DataError", code });
  });
});
