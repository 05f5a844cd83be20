import { mkdir, readFile, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { tempDir } from "../test-helpers.ts";
import { buildMlp, headFor } from "./build.ts";
import { modelUrl, registerFileRouters } from "./file-io.ts";

beforeAll(async () => {
  tf.env().set("PROD", true);
  await tf.setBackend("cpu");
  registerFileRouters();
});

const dir = tempDir("file-io-");

/** Saves a small model into `name/` and returns that folder. */
async function saved(name: string): Promise<string> {
  const folder = join(dir, name);
  await buildMlp({ numFeatures: 2, hidden: [3], head: headFor("binary", 2), seed: 1 }).save(modelUrl(folder));
  return folder;
}

async function setPaths(folder: string, paths: string[]): Promise<void> {
  const path = join(folder, "model.json");
  const json = JSON.parse(await readFile(path, "utf8"));
  json.weightsManifest[0].paths = paths;
  await writeFile(path, JSON.stringify(json));
}

const load = (folder: string) => tf.loadLayersModel(`${modelUrl(folder)}/model.json`);

describe("the file:// model handler", () => {
  it("saved, then loaded → the same weights", async () => {
    const folder = await saved("plain");
    const model = await load(folder);
    expect(model.getWeights()).toHaveLength(4);
  });

  it.each([
    ["a path up and out", "../../../../../../etc/passwd", "lies outside the model folder"],
    ["an absolute path", "/etc/passwd", "is an absolute path"],
    ["a path that climbs back in through ..", "../escape/weights.bin", "lies outside the model folder"],
  ])(
    "a weight path that is %s → refused naming model.json and the path; nothing read",
    async (name, path, why) => {
      const folder = await saved(`escape-${name.replace(/\W+/g, "-")}`);
      await setPaths(folder, [path]);
      await expect(load(folder)).rejects.toThrow(
        `${join(folder, "model.json")}: weight file ${JSON.stringify(path)} ${why}; a model's weight files must lie in its folder beside model.json`,
      );
    },
  );

  it("a weight file that is a symbolic link out of the folder → refused", async () => {
    const folder = await saved("linked");
    const outside = join(dir, "outside.bin");
    await writeFile(outside, new Uint8Array(64));
    await mkdir(join(folder, "sub"));
    await symlink(outside, join(folder, "sub", "w.bin"));
    await setPaths(folder, ["sub/w.bin"]);
    await expect(load(folder)).rejects.toThrow(
      `${join(folder, "model.json")}: weight file "sub/w.bin" leads outside the model folder (a symbolic link)`,
    );
  });

  it("a truncated model.json → an error naming it, not a bare JSON message", async () => {
    const folder = await saved("truncated");
    const path = join(folder, "model.json");
    const text = await readFile(path, "utf8");
    await writeFile(path, text.slice(0, 40));
    await expect(load(folder)).rejects.toThrow(new RegExp(`^${path}: not valid JSON \\(`));
  });

  it("a missing weights file → an error naming it", async () => {
    const folder = await saved("missing");
    await setPaths(folder, ["gone.bin"]);
    await expect(load(folder)).rejects.toThrow(`${join(folder, "gone.bin")}: no such file`);
  });
});
