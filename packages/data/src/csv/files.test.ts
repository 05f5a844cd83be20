import { execFileSync } from "node:child_process";
import { mkdir, realpath, symlink, writeFile } from "node:fs/promises";
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

describe("resolveCsvFiles: links and special files", () => {
  it("directory with a symlinked part → the linked part is read too", async () => {
    const dir = await tree(["parts/part-1.csv", "elsewhere/part-2.csv"]);
    await symlink(join(dir, "elsewhere/part-2.csv"), join(dir, "parts/part-2.csv"));
    expect(await resolveCsvFiles(join(dir, "parts"))).toEqual([
      join(dir, "parts/part-1.csv"),
      join(dir, "parts/part-2.csv"),
    ]);
  });

  it("glob through a symlink loop → each real file once, under its first path", async () => {
    const dir = await tree(["d/a.csv", "d/b.csv"]);
    await symlink(join(dir, "d"), join(dir, "d/loop"));
    const files = await resolveCsvFiles(join(dir, "d/**/*.csv"));
    const real = await Promise.all(files.map((f) => realpath(f)));
    expect(new Set(real).size).toBe(files.length);
    expect(real.sort()).toEqual([await realpath(join(dir, "d/a.csv")), await realpath(join(dir, "d/b.csv"))]);
  });

  it("directory holding a part and a link to it → the file once", async () => {
    const dir = await tree(["d/part-1.csv"]);
    await symlink(join(dir, "d/part-1.csv"), join(dir, "d/part-2.csv"));
    expect(await resolveCsvFiles(join(dir, "d"))).toEqual([join(dir, "d/part-1.csv")]);
  });

  it("a file and a link to it named as two inputs → DataError duplicate-file naming both", async () => {
    const dir = await tree(["a.csv"]);
    await symlink(join(dir, "a.csv"), join(dir, "b.csv"));
    const error = await resolveCsvFiles([join(dir, "a.csv"), join(dir, "b.csv")]).catch((e) => e);
    expect(error).toMatchObject({ name: "DataError", code: "duplicate-file", file: join(dir, "b.csv") });
    expect(error.message).toContain(join(dir, "a.csv"));
  });

  it("a dangling link in a directory of parts → DataError file-not-found naming it", async () => {
    const dir = await tree(["d/part-1.csv"]);
    await symlink(join(dir, "gone.csv"), join(dir, "d/part-2.csv"));
    await expect(resolveCsvFiles(join(dir, "d"))).rejects.toMatchObject({
      code: "file-not-found",
      file: join(dir, "d/part-2.csv"),
      message: expect.stringContaining("symbolic link to a missing file"),
    });
  });

  it.runIf(process.platform === "linux")("a FIFO as data → DataError not-a-file at once", async () => {
    const dir = await tree([]);
    const fifo = join(dir, "pipe.csv");
    execFileSync("mkfifo", [fifo]);
    const error = await resolveCsvFiles(fifo).catch((e) => e);
    expect(error).toMatchObject({ name: "DataError", code: "not-a-file", file: fifo });
    expect(error.message).toMatch(/named pipe/);
    expect(error.message.split("\n")).toHaveLength(1);
  });

  it.runIf(process.platform === "linux")("a FIFO named like a part in a directory → not-a-file", async () => {
    const dir = await tree(["d/part-1.csv"]);
    execFileSync("mkfifo", [join(dir, "d/part-2.csv")]);
    await expect(resolveCsvFiles(join(dir, "d"))).rejects.toMatchObject({
      code: "not-a-file",
      file: join(dir, "d/part-2.csv"),
    });
  });
});
