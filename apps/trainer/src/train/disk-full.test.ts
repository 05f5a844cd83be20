import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { runInProcess } from "../cli-capture.ts";
import { tempDir, writeToyCsv } from "../test-helpers.ts";

// A disk that fills up as the first checkpoint is written: from then on no file can be created
// or grown (as with ENOSPC), while a file's existing blocks can still be overwritten in place.
const disk = vi.hoisted(() => ({ full: false, fullAt: "" }));

vi.mock("node:fs/promises", async (importOriginal) => {
  const actual = await importOriginal<typeof import("node:fs/promises")>();
  const enospc = () =>
    Object.assign(new Error("ENOSPC: no space left on device, write"), {
      code: "ENOSPC",
      errno: -28,
      syscall: "write",
    });
  const check = (path: unknown, flags: unknown) => {
    const creates = typeof flags === "string" && /[wa]/.test(flags);
    if (disk.fullAt !== "" && String(path).includes(disk.fullAt)) disk.full = true;
    if (disk.full && creates) throw enospc();
  };
  const mocked = {
    ...actual,
    open: async (path: Parameters<typeof actual.open>[0], flags?: string | number, mode?: number) => {
      check(path, flags ?? "r");
      return actual.open(path, flags, mode);
    },
    writeFile: async (path: Parameters<typeof actual.writeFile>[0], ...rest: unknown[]) => {
      check(path, "w");
      return (actual.writeFile as (...args: unknown[]) => Promise<void>)(path, ...rest);
    },
  };
  return { ...mocked, default: mocked };
});

const dir = tempDir("disk-full-");
let data: string;
beforeAll(async () => {
  data = join(dir, "toy.csv");
  await writeToyCsv(data, 60);
});

describe("a disk that fills up during training", () => {
  it("ENOSPC while writing the first checkpoint → one line naming the file, exit 1, status.json says failed", async () => {
    const out = join(dir, "run");
    disk.fullAt = join("run", "checkpoint.tmp", "model.bin");
    const result = await runInProcess([
      "train",
      "--data",
      data,
      "--label",
      "kind",
      "--epochs",
      "3",
      "--batch-size",
      "8",
      "--model",
      "mlp:4",
      "--seed",
      "1",
      "--backend",
      "cpu",
      "--loader",
      "main",
      "--out",
      out,
    ]);
    disk.fullAt = "";
    disk.full = false;
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `error: ${join(out, "checkpoint.tmp", "model.bin")}: cannot write (no space left on device)\n`,
    );
    const status = JSON.parse(await readFile(join(out, "status.json"), "utf8"));
    expect(status).toMatchObject({
      status: "failed",
      error: `${join(out, "checkpoint.tmp", "model.bin")}: cannot write (no space left on device)`,
    });
  }, 120_000);
});
