import { mkdir, readdir, rename } from "node:fs/promises";
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

  it("written twice → the second is read back with its bytes and specs, no staging left", async () => {
    await writeCheckpoint(dir, checkpointAt(1));
    await writeCheckpoint(dir, checkpointAt(2));
    const read = await readCheckpoint(dir);
    expect(read?.state.nextEpoch).toBe(2);
    expect(Array.from(new Float32Array(read?.model.data.slice().buffer as ArrayBuffer))).toEqual([2, 2]);
    expect(read?.model.specs).toEqual([{ name: "w0", shape: [2], dtype: "float32" }]);
    expect((await readdir(dir)).sort()).toEqual(["checkpoint"]);
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
    expect((await readdir(dir)).sort()).toEqual(["checkpoint"]);
  });
});
