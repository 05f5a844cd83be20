import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Command } from "commander";
import { describe, expect, it } from "vitest";
import { mergeConfig, readConfigFile, relativePaths } from "./config.ts";
import { integerFlag, maxCategoriesFlag, validationFreqFlag } from "./options.ts";
import { tempDir } from "./test-helpers.ts";

const dir = tempDir("config-");

function command(): Command {
  return new Command("train")
    .exitOverride()
    .option("--data <FILE>", "data")
    .option("--batch-size <B>", "batch", integerFlag("--batch-size", 1), 32)
    .option("--epochs <E>", "epochs", integerFlag("--epochs", 1), 10)
    .option("--validation-freq <k>", "freq", validationFreqFlag)
    .option("--max-categories <N>", "max", maxCategoriesFlag)
    .option("--no-header", "no header")
    .option("--config <FILE>", "config");
}

function parse(argv: string[]) {
  const cmd = command();
  cmd.parse(argv, { from: "user" });
  return { cmd, flags: cmd.opts() };
}

describe("config files", () => {
  it("a setting in the file and not on the command line → the file's value, parsed like the flag", () => {
    const { cmd, flags } = parse(["--epochs", "3"]);
    const merged = mergeConfig(
      cmd,
      flags,
      { batchSize: 8, epochs: 99, "validation-freq": [1, 3] },
      join(dir, "run.json"),
      [],
    );
    expect(merged).toMatchObject({ batchSize: 8, epochs: 3, validationFreq: [1, 3] });
  });

  it("maxCategories as a number or an object by column → the same as the flag's N or origin=500,64", () => {
    const { cmd, flags } = parse([]);
    expect(mergeConfig(cmd, flags, { maxCategories: 64 }, "run.json", []).maxCategories).toBe(64);
    expect(
      mergeConfig(cmd, flags, { maxCategories: { origin: 500, "*": 64 } }, "run.json", []).maxCategories,
    ).toEqual({ origin: 500, "*": 64 });
    expect(() => mergeConfig(cmd, flags, { maxCategories: { origin: 0 } }, "run.json", [])).toThrow(
      /^run\.json: "maxCategories" must be a positive integer, got "0"$/,
    );
    expect(() => mergeConfig(cmd, flags, { epochs: { a: 1 } }, "run.json", [])).toThrow(
      /"epochs" \(--epochs\) must be a number, a string or a list/,
    );
  });

  it("a path in the file → resolved against the file's folder, not the working directory", () => {
    const { cmd, flags } = parse([]);
    const merged = mergeConfig(cmd, flags, { data: "iris.csv" }, join(dir, "sub", "run.json"), ["data"]);
    expect(merged.data).toBe(join(dir, "sub", "iris.csv"));
  });

  it("an unknown key → a one-line error naming the file and listing the known settings", () => {
    const { cmd, flags } = parse([]);
    expect(() => mergeConfig(cmd, flags, { batchsize: 8 }, "run.json", [])).toThrow(
      /^run\.json: unknown setting "batchsize"; known settings: data, batchSize/,
    );
  });

  it("a bad value → the flag's check, worded for the file: its name and the key as written there", () => {
    const { cmd, flags } = parse([]);
    expect(() => mergeConfig(cmd, flags, { batchSize: 0 }, "run.json", [])).toThrow(
      /^run\.json: "batchSize" must be a positive integer, got "0"$/,
    );
    expect(() => mergeConfig(cmd, flags, { "batch-size": "ten" }, "config.json", [])).toThrow(
      /^config\.json: "batch-size" must be a positive integer, got "ten"$/,
    );
    expect(() => mergeConfig(cmd, flags, { header: "no" }, "run.json", [])).toThrow(
      /"header" must be true or false/,
    );
  });

  it("JSON and YAML files → the same settings; broken files → an error naming the file", async () => {
    await writeFile(join(dir, "a.json"), '{"batchSize": 8, "data": "x.csv"}');
    await writeFile(join(dir, "a.yaml"), "batchSize: 8\ndata: x.csv\n");
    await writeFile(join(dir, "bad.json"), "{batchSize: 8");
    expect(await readConfigFile(join(dir, "a.json"))).toEqual(await readConfigFile(join(dir, "a.yaml")));
    await expect(readConfigFile(join(dir, "bad.json"))).rejects.toThrow(/bad\.json: not valid JSON/);
    await expect(readConfigFile(join(dir, "none.json"))).rejects.toThrow(/no such file/);
  });

  it("saved config paths → relative to the run folder", () => {
    expect(relativePaths({ data: join(dir, "d.csv"), epochs: 2 }, join(dir, "runs", "a"), ["data"])).toEqual({
      data: join("..", "..", "d.csv"),
      epochs: 2,
    });
  });
});
