import { readdir, readFile, utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runInProcess } from "../cli-capture.ts";
import { PHASES, type Profile } from "../run/profile.ts";
import { tempDir, writeToyCsv } from "../test-helpers.ts";

const base = [
  "train",
  "--label",
  "kind",
  "--model",
  "mlp:4",
  "--seed",
  "5",
  "--backend",
  "cpu",
  "--epochs",
  "2",
];
const ORDER = Object.keys(PHASES);

async function readProfile(run: string): Promise<Profile> {
  return JSON.parse(await readFile(join(run, "profile.json"), "utf8")) as Profile;
}

describe("train --profile", () => {
  it("a run with validation and --profile → every phase in order, summing to the wall time, printed and in profile.json", async () => {
    const dir = tempDir("train-profile-");
    const data = join(dir, "toy.csv");
    const validation = join(dir, "toy-val.csv");
    await writeToyCsv(data, 60);
    await writeToyCsv(validation, 20);
    const out = join(dir, "run");
    const result = await runInProcess([
      ...base,
      "--data",
      data,
      "--validation-data",
      validation,
      "--out",
      out,
      "--profile",
    ]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const profile = await readProfile(out);
    expect(profile.version).toBe(1);
    const names = profile.phases.map((p) => p.name);
    for (const name of [
      "start",
      "config",
      "schema",
      "rowIndex",
      "workerStart",
      "backend",
      "model",
      "runStart",
      "firstBatch",
      "firstStep",
      "training",
      "validation",
      "checkpoints",
      "save",
    ])
      expect(names).toContain(name);
    expect(names).not.toContain("refit");
    const positions = names.map((name) => ORDER.indexOf(name));
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
    for (const phase of profile.phases) {
      expect(phase.seconds).toBeGreaterThanOrEqual(0);
      expect(phase.label).toBe(PHASES[phase.name]);
    }
    const sum = profile.phases.reduce((total, p) => total + p.seconds, 0);
    expect(sum).toBeLessThanOrEqual(profile.wallSeconds * (1 + 1e-9));
    expect(profile.firstStepAtSeconds).not.toBeNull();
    expect(profile.firstStepAtSeconds as number).toBeLessThanOrEqual(profile.wallSeconds);
    // The table comes last, after the run folder line.
    const lines = result.stdout.trim().split("\n");
    const tableAt = lines.indexOf("Profile (wall-clock seconds, share of the command):");
    expect(tableAt).toBeGreaterThan(lines.indexOf(`Run folder: ${out}`));
    expect(
      lines.slice(tableAt + 1, tableAt + 1 + names.length).map((line) => line.split(/\s{2,}/)[0]),
    ).toEqual(profile.phases.map((p) => p.label));
    expect(lines.at(-2)).toMatch(/^total\s+[\d.]+ s\s+100\.0%$/);
    expect(lines.at(-1)).toMatch(/^First step ended [\d.]+ s after the process started$/);
  });

  it("--validation-split → the refit phase; without --profile → no table, profile.json still written", async () => {
    const dir = tempDir("train-profile-");
    const data = join(dir, "toy.csv");
    await writeToyCsv(data, 60);
    const out = join(dir, "run");
    const result = await runInProcess([...base, "--data", data, "--validation-split", "0.25", "--out", out]);
    expect(result.code).toBe(0);
    expect(result.stdout).not.toContain("Profile (");
    const names = (await readProfile(out)).phases.map((p) => p.name);
    expect(names.indexOf("refit")).toBe(names.indexOf("schema") + 1);
  });
});

describe("train on the same data again → the cached schema fit", () => {
  it("unchanged data → the fit read from .stepwise-index; rewritten with the same size and mtime → refitted", async () => {
    const dir = tempDir("train-cache-");
    const data = join(dir, "toy.csv");
    await writeToyCsv(data, 60);
    const when = new Date("2026-01-02T03:04:05Z");
    await utimes(data, when, when);
    const train = async (name: string) => {
      const out = join(dir, name);
      const result = await runInProcess([...base, "--data", data, "--out", out]);
      expect(result.stderr).toBe("");
      expect(result.code).toBe(0);
      return JSON.parse(await readFile(join(out, "schema.json"), "utf8"));
    };
    const first = await train("first");
    const entries = (await readdir(join(dir, ".stepwise-index"))).filter((name) =>
      name.endsWith(".schema.json"),
    );
    expect(entries).toHaveLength(1);
    // Mark the cached fit: a run that takes its schema from the cache shows the mark.
    const entryPath = join(dir, ".stepwise-index", entries[0] as string);
    const entry = JSON.parse(await readFile(entryPath, "utf8"));
    entry.schema.features[0].stats.mean = 123.5;
    await writeFile(entryPath, JSON.stringify(entry));
    const second = await train("second");
    expect(second.features[0].stats.mean).toBe(123.5);
    expect({ ...second, features: second.features.slice(1) }).toEqual({
      ...first,
      features: first.features.slice(1),
    });
    // Same size, same mtime, other values: the content fingerprint differs, so the data is refitted.
    const text = await readFile(data, "utf8");
    const changed = text.replace(
      /^(r\d+,-?)(\d)/gm,
      (_, head: string, digit: string) => `${head}${(Number(digit) + 1) % 10}`,
    );
    expect(changed.length).toBe(text.length);
    expect(changed).not.toBe(text);
    await writeFile(data, changed);
    await utimes(data, when, when);
    const third = await train("third");
    expect(third.features[0].stats.mean).not.toBe(123.5);
    expect(third.features[0].stats.mean).not.toBe(first.features[0].stats.mean);
  });
});
