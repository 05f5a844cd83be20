import { execFileSync } from "node:child_process";
import { createReadStream } from "node:fs";
import { lstat, readFile, readlink, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { text } from "node:stream/consumers";
import { describe, expect, it } from "vitest";
import { tempDir } from "../test-helpers.ts";
import { openOutput } from "./out-file.ts";

const dir = tempDir("out-file-");

async function writeAll(path: string, stdout: { write(text: string): unknown } = { write: () => true }) {
  const sink = await openOutput(path, stdout);
  await sink.write("a,b\n");
  await sink.write("1,2\n");
  await sink.commit();
  return sink;
}

describe("openOutput", () => {
  it("- → standard output, marked so messages go elsewhere", async () => {
    let written = "";
    const sink = await writeAll("-", { write: (chunk: string) => (written += chunk) });
    expect(sink.toStdout).toBe(true);
    expect(written).toBe("a,b\n1,2\n");
  });

  it("a new or regular file → written whole on commit; nothing on abort", async () => {
    const path = join(dir, "preds.csv");
    await writeAll(path);
    expect(await readFile(path, "utf8")).toBe("a,b\n1,2\n");
    const aborted = await openOutput(join(dir, "aborted.csv"), { write: () => true });
    await aborted.write("half");
    await aborted.abort();
    await expect(lstat(join(dir, "aborted.csv"))).rejects.toThrow(/ENOENT/);
    expect(execFileSync("ls", ["-A", dir]).toString()).not.toMatch(/tmp/);
  });

  it("a symlink → its target is replaced; the link itself stays a link", async () => {
    const target = join(dir, "target.csv");
    const link = join(dir, "link.csv");
    await writeFile(target, "old\n");
    await symlink(target, link);
    await writeAll(link);
    expect((await lstat(link)).isSymbolicLink()).toBe(true);
    expect(await readlink(link)).toBe(target);
    expect(await readFile(target, "utf8")).toBe("a,b\n1,2\n");
  });

  it("a device (/dev/null) → written in place: it stays a device", async () => {
    await writeAll("/dev/null");
    expect((await lstat("/dev/null")).isCharacterDevice()).toBe(true);
  });

  it("a FIFO → written in place: the reader gets the text and the FIFO stays a FIFO", async () => {
    const fifo = join(dir, "fifo");
    execFileSync("mkfifo", [fifo]);
    const reading = text(createReadStream(fifo));
    await writeAll(fifo);
    expect(await reading).toBe("a,b\n1,2\n");
    expect((await lstat(fifo)).isFIFO()).toBe(true);
  });
});
