import { mkdir, readdir, readFile, rename, rm, truncate, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { tempDir } from "../test-helpers.ts";
import { type Checkpoint, readCheckpoint, writeCheckpoint } from "./checkpoint.ts";

function checkpointAt(nextEpoch: number): Checkpoint {
  return {
    state: {
      version: 1,
      nextEpoch,
      step: nextEpoch * 3,
      pipeline: { version: 1, step: nextEpoch * 3 },
      history: [],
      configHash: "abc",
      dataFingerprint: [],
      backend: "cpu",
      model: { specs: [] },
      optimizer: { className: "Adam", specs: [] },
    },
    model: {
      specs: [{ name: "w0", shape: [2], dtype: "float32" }],
      data: new Uint8Array(new Float32Array([nextEpoch, 2]).buffer),
    },
    optimizer: {
      specs: [{ name: "iter", shape: [], dtype: "int32" }],
      data: new Uint8Array(new Int32Array([nextEpoch]).buffer),
    },
  };
}

let dir: string;
beforeEach(() => {
  dir = tempDir("ckpt-");
});

describe("checkpoints", () => {
  it("no checkpoint written → null", async () => {
    expect(await readCheckpoint(dir)).toBeNull();
  });

  it("written twice → the second is read back with its bytes and specs; the first kept as checkpoint.prev, no staging left", async () => {
    await writeCheckpoint(dir, checkpointAt(1));
    await writeCheckpoint(dir, checkpointAt(2));
    const read = await readCheckpoint(dir);
    expect(read?.state.nextEpoch).toBe(2);
    expect(Array.from(new Float32Array(read?.model.data.slice().buffer as ArrayBuffer))).toEqual([2, 2]);
    expect(read?.model.specs).toEqual([{ name: "w0", shape: [2], dtype: "float32" }]);
    expect((await readdir(dir)).sort()).toEqual(["checkpoint", "checkpoint.prev"]);
    expect((await readdir(join(dir, "checkpoint"))).sort()).toEqual([
      "checksums.json",
      "model.bin",
      "optimizer.bin",
      "state.json",
    ]);
  });

  it("a crash while staging (no state.json yet) → the previous checkpoint is still read", async () => {
    await writeCheckpoint(dir, checkpointAt(1));
    await mkdir(join(dir, "checkpoint.tmp"));
    expect((await readCheckpoint(dir))?.state.nextEpoch).toBe(1);
  });

  it("a crash between moving the old folder aside and renaming the new one → the old one is read", async () => {
    await writeCheckpoint(dir, checkpointAt(1));
    await rename(join(dir, "checkpoint"), join(dir, "checkpoint.prev"));
    expect((await readCheckpoint(dir))?.state.nextEpoch).toBe(1);
    await writeCheckpoint(dir, checkpointAt(2));
    expect((await readCheckpoint(dir))?.state.nextEpoch).toBe(2);
    expect((await readdir(dir)).sort()).toEqual(["checkpoint", "checkpoint.prev"]);
  });
});

/** Flips one bit of a file in place. */
async function flipByte(path: string, at = 0): Promise<void> {
  const bytes = await readFile(path);
  bytes[at] = (bytes[at] as number) ^ 0x10;
  await writeFile(path, bytes);
}

/** Two checkpoints (epochs 1 and 2) and a collector of fallback notes. */
async function twoCheckpoints(): Promise<string[]> {
  await writeCheckpoint(dir, checkpointAt(1));
  await writeCheckpoint(dir, checkpointAt(2));
  return [];
}

type Damage = [string, (path: string) => Promise<void>];
const damages: Damage[] = [
  ["a flipped bit in model.bin", (d) => flipByte(join(d, "model.bin"), 5)],
  ["a flipped bit in optimizer.bin", (d) => flipByte(join(d, "optimizer.bin"))],
  ["a truncated model.bin", (d) => truncate(join(d, "model.bin"), 3)],
  ["an empty optimizer.bin", (d) => truncate(join(d, "optimizer.bin"), 0)],
  ["a missing model.bin", (d) => rm(join(d, "model.bin"))],
  [
    "an edited state.json",
    async (d) => {
      const path = join(d, "state.json");
      await writeFile(path, (await readFile(path, "utf8")).replace(/"nextEpoch": \d+/, '"nextEpoch": 9'));
    },
  ],
  ["a truncated state.json", (d) => truncate(join(d, "state.json"), 10)],
  ["a missing checksums.json", (d) => rm(join(d, "checksums.json"))],
  ["a truncated checksums.json", (d) => truncate(join(d, "checksums.json"), 7)],
];

describe("checkpoint checksums", () => {
  it.each(damages)(
    "%s in checkpoint/ → the previous checkpoint is read, with a note naming the file; the damaged one set aside",
    async (_, damage) => {
      const notes = await twoCheckpoints();
      await damage(join(dir, "checkpoint"));
      const read = await readCheckpoint(dir, (note) => notes.push(note));
      expect(read?.state.nextEpoch).toBe(1);
      expect(Array.from(new Float32Array(read?.model.data.slice().buffer as ArrayBuffer))).toEqual([1, 2]);
      expect(notes).toHaveLength(1);
      expect(notes[0]).toContain(join(dir, "checkpoint"));
      expect(notes[0]).toMatch(/resuming from the checkpoint before it \(checkpoint\.prev, after epoch 1\)/);
      expect((await readdir(dir)).sort()).toEqual(["checkpoint.damaged", "checkpoint.prev"]);
      // Training goes on from there: the next checkpoint keeps the verified one as its previous.
      await writeCheckpoint(dir, checkpointAt(2));
      expect((await readCheckpoint(dir))?.state.nextEpoch).toBe(2);
      await flipByte(join(dir, "checkpoint", "model.bin"));
      expect((await readCheckpoint(dir))?.state.nextEpoch).toBe(1);
    },
  );

  it.each(damages)(
    "%s and no verified checkpoint before it → RunError naming the damaged file, nothing returned",
    async (_, damage) => {
      await writeCheckpoint(dir, checkpointAt(1));
      await damage(join(dir, "checkpoint"));
      const error = await readCheckpoint(dir).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).name).toBe("RunError");
      const message = (error as Error).message;
      expect(message.split("\n")).toHaveLength(1);
      expect(message).toMatch(new RegExp(`^cannot resume ${dir}: ${join(dir, "checkpoint")}/\\S+`));
      expect(message).toContain("there is none before it");
    },
  );

  it("both checkpoints damaged → RunError naming both files", async () => {
    await twoCheckpoints();
    await flipByte(join(dir, "checkpoint", "model.bin"));
    await truncate(join(dir, "checkpoint.prev", "optimizer.bin"), 1);
    await expect(readCheckpoint(dir)).rejects.toThrow(
      `${join(dir, "checkpoint", "model.bin")} does not match its recorded checksum (damaged or edited), and so is the one before (${join(dir, "checkpoint.prev", "optimizer.bin")} is truncated (1 of 4 bytes))`,
    );
  });
});

/** A version 2 checkpoint keeping the weights of `bestEpoch` (restore-best). */
function withBest(nextEpoch: number, bestEpoch: number): Checkpoint {
  const base = checkpointAt(nextEpoch);
  return {
    ...base,
    state: {
      ...base.state,
      version: 2,
      earlyStopping: { best: 0.25, bestEpoch, wait: nextEpoch - 1 - bestEpoch },
      best: {
        epoch: bestEpoch,
        report: {
          samples: 4,
          loss: 0.25,
          metrics: { accuracy: 1 },
          confusion: [
            [2, 0],
            [0, 2],
          ],
        },
        specs: [],
      },
      validation: {
        samples: 4,
        loss: 0.5,
        metrics: { accuracy: 0.5 },
        confusion: [
          [1, 1],
          [1, 1],
        ],
      },
    },
    best: {
      specs: [{ name: "w0", shape: [2], dtype: "float32" }],
      data: new Uint8Array(new Float32Array([bestEpoch, 7]).buffer),
    },
  };
}

describe("checkpoints keeping the best epoch", () => {
  it("a checkpoint with best weights → best.bin written, checksummed and read back with the state's early-stopping fields", async () => {
    await writeCheckpoint(dir, withBest(3, 1));
    expect((await readdir(join(dir, "checkpoint"))).sort()).toEqual([
      "best.bin",
      "checksums.json",
      "model.bin",
      "optimizer.bin",
      "state.json",
    ]);
    const read = await readCheckpoint(dir);
    expect(read?.state.version).toBe(2);
    expect(read?.state.best?.epoch).toBe(1);
    expect(read?.state.best?.report?.confusion).toEqual([
      [2, 0],
      [0, 2],
    ]);
    expect(read?.state.earlyStopping).toEqual({ best: 0.25, bestEpoch: 1, wait: 1 });
    expect(read?.best?.specs).toEqual([{ name: "w0", shape: [2], dtype: "float32" }]);
    expect(Array.from(new Float32Array(read?.best?.data.slice().buffer as ArrayBuffer))).toEqual([1, 7]);
  });

  it.each([
    ["a flipped bit in best.bin", (d: string) => flipByte(join(d, "best.bin"))],
    ["a missing best.bin", (d: string) => rm(join(d, "best.bin"))],
  ])("%s → the previous checkpoint is read, with a note naming the file", async (_, damage) => {
    await writeCheckpoint(dir, withBest(1, 0));
    await writeCheckpoint(dir, withBest(2, 1));
    await damage(join(dir, "checkpoint"));
    const notes: string[] = [];
    const read = await readCheckpoint(dir, (note) => notes.push(note));
    expect(read?.state.nextEpoch).toBe(1);
    expect(Array.from(new Float32Array(read?.best?.data.slice().buffer as ArrayBuffer))).toEqual([0, 7]);
    expect(notes[0]).toContain(join(dir, "checkpoint", "best.bin"));
  });

  it("a version 1 checkpoint (before best weights existed) → read, with no best weights", async () => {
    await writeCheckpoint(dir, checkpointAt(1));
    const read = await readCheckpoint(dir);
    expect(read?.state.version).toBe(1);
    expect(read?.best).toBeNull();
  });
});
