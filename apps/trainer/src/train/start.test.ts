import { mkdir, readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir } from "../test-helpers.ts";
import { inRunFolder } from "./start.ts";

const dir = tempDir("start-");

const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  );

describe("working in a run folder", () => {
  it("training throws after the folder exists → status failed with the first line of the error, lock released, error rethrown", async () => {
    const run = join(dir, "a");
    await mkdir(run);
    await expect(
      inRunFolder(run, async () => {
        expect(await exists(join(run, "run.lock"))).toBe(true);
        throw new Error("disk full\nmore detail");
      }),
    ).rejects.toThrow("disk full");
    expect(JSON.parse(await readFile(join(run, "status.json"), "utf8"))).toMatchObject({
      status: "failed",
      error: "disk full",
    });
    expect(await exists(join(run, "run.lock"))).toBe(false);
  });

  it("a folder locked by a live process → refused; a lock left by a dead process → taken over", async () => {
    const run = join(dir, "b");
    await mkdir(run);
    await writeFile(join(run, "run.lock"), `${process.ppid}\n`);
    await expect(inRunFolder(run, async () => 1)).rejects.toThrow(
      `${run} is in use by process ${process.ppid}; wait for it to finish or stop it (or delete`,
    );
    // No process can have pid 2^22 + 1: Linux caps pid_max at 2^22.
    await writeFile(join(run, "run.lock"), `${2 ** 22 + 1}\n`);
    await expect(inRunFolder(run, async () => 7)).resolves.toBe(7);
  });
});
