import { readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { fileError, readJsonFile, writeFileAtomic } from "./files.ts";
import { tempDir } from "./test-helpers.ts";

const dir = tempDir("files-");

describe("reading JSON files", () => {
  it.each([
    ["truncated", '{"a": [1, 2', /: not valid JSON \((Unexpected end of JSON input|Expected .*)\)$/],
    ["empty", "", /: empty file, expected JSON$/],
    ["blank", " \n", /: empty file, expected JSON$/],
    ["not JSON", "a: 1\n", /: not valid JSON \(.+\)$/],
  ])("a %s file → FileError whose one-line message starts with the path", async (name, text, reason) => {
    const path = join(dir, `${name}.json`);
    await writeFile(path, text);
    const error = (await readJsonFile(path).catch((e: unknown) => e)) as Error & { code: string };
    expect(error.name).toBe("FileError");
    expect(error.code).toBe("invalid");
    expect(error.message.startsWith(`${path}: `)).toBe(true);
    expect(error.message).toMatch(reason);
    expect(error.message).not.toContain("\n");
  });

  it("a missing file → FileError `path: no such file`, code ENOENT", async () => {
    const path = join(dir, "nope.json");
    await expect(readJsonFile(path)).rejects.toMatchObject({
      name: "FileError",
      code: "ENOENT",
      message: `${path}: no such file`,
    });
  });
});

describe("writing files atomically", () => {
  it("written → the content is there and no temporary file is left", async () => {
    const path = join(dir, "out.json");
    await writeFileAtomic(path, "{}\n", { sync: true });
    expect((await readdir(dir)).filter((name) => name.startsWith("out.json"))).toEqual(["out.json"]);
  });

  it("a folder that does not exist → FileError naming the file and the reason", async () => {
    const path = join(dir, "missing", "out.json");
    await expect(writeFileAtomic(path, "x")).rejects.toMatchObject({
      name: "FileError",
      code: "ENOENT",
      message: `${path}: cannot write (no such file)`,
    });
  });

  it("system errors without a path (ENOSPC, EIO) → the path and a plain reason", () => {
    const error = Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" });
    expect(fileError("/r/a.bin", "write", error).message).toBe(
      "/r/a.bin: cannot write (no space left on device)",
    );
    const io = Object.assign(new Error("EIO: i/o error, read"), { code: "EIO" });
    expect(fileError("/r/b.bin", "read", io).message).toBe("/r/b.bin: cannot read (input/output error)");
  });
});
