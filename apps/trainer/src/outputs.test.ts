import { link, lstat, mkdir, readFile, stat, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { runInProcess } from "./cli-capture.ts";
import { checkOutputs, dataInputs, outputKind, validationOverlap } from "./outputs.ts";
import { runCli, tempDir, writeToyCsv } from "./test-helpers.ts";

const dir = tempDir("outputs-");
let data: string;
let dirtyData: string;
let original: string;
let run: string;
const base = ["--label", "kind", "--model", "mlp:4", "--seed", "3", "--epochs", "1", "--backend", "cpu"];

beforeAll(async () => {
  data = join(dir, "toy.csv");
  await writeToyCsv(data, 40);
  original = await readFile(data, "utf8");
  // Two bad rows, so a quarantine writes its rejects file.
  const lines = original.trim().split("\n");
  lines.splice(3, 0, "b1,0.5,0.5");
  dirtyData = join(dir, "dirty.csv");
  await writeFile(dirtyData, `${lines.join("\n")}\n`);
  run = join(dir, "run");
  const trained = await runInProcess(["train", ...base, "--data", data, "--out", run]);
  expect(trained.code).toBe(0);
});

const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  );

describe("checkOutputs", () => {
  it("an output that is an input under another name (hard link, symlink, ./ spelling) → refused naming both", async () => {
    const hard = join(dir, "hard-link.csv");
    const soft = join(dir, "soft-link.csv");
    await link(data, hard).catch(() => {});
    await symlink(data, soft).catch(() => {});
    const inputs = [await dataInputs("the training data (--data)", data)];
    for (const path of [hard, soft, join(dir, ".", "toy.csv")]) {
      await expect(
        checkOutputs([{ flag: "--rejects", path, existing: "refuse" }], inputs, { overwrite: true }),
      ).rejects.toThrow(/^--rejects .* is the training data \(--data\)/);
    }
  });

  it("two outputs naming the same new file → refused", async () => {
    const path = join(dir, "same.jsonl");
    await expect(
      checkOutputs(
        [
          { flag: "--rejects", path, existing: "refuse" },
          {
            flag: "--manifest",
            path: join(dir, "..", dir.split("/").at(-1) as string, "same.jsonl"),
            existing: "refuse",
          },
        ],
        [],
        { overwrite: false },
      ),
    ).rejects.toThrow(/^--manifest .* is also --rejects; give each output its own file$/);
  });

  it("a new file among a data folder's part files → refused; other names there are fine", async () => {
    const parts = join(dir, "parts");
    await mkdir(parts, { recursive: true });
    await writeToyCsv(join(parts, "part-0.csv"), 5);
    const inputs = [await dataInputs("the training data (--data)", parts)];
    await expect(
      checkOutputs([{ flag: "--rejects", path: join(parts, "rejects.csv"), existing: "refuse" }], inputs, {
        overwrite: false,
      }),
    ).rejects.toThrow(/would be a new data file in .*parts/);
    await checkOutputs(
      [{ flag: "--manifest", path: join(parts, "steps.jsonl"), existing: "refuse" }],
      inputs,
      {
        overwrite: false,
      },
    );
  });

  it("an existing file → refused without overwrite, allowed with it or with the append/replace policies", async () => {
    const path = join(dir, "existing.jsonl");
    await writeFile(path, "x\n");
    await expect(
      checkOutputs([{ flag: "--manifest", path, existing: "refuse" }], [], { overwrite: false }),
    ).rejects.toThrow(/already exists; pass --overwrite/);
    await checkOutputs([{ flag: "--manifest", path, existing: "refuse" }], [], { overwrite: true });
    await checkOutputs([{ flag: "--manifest", path, existing: "append" }], [], { overwrite: false });
    await checkOutputs([{ flag: "--rejects", path, existing: "replace" }], [], { overwrite: false });
  });

  it("a device → written in place: never an existing file to refuse", async () => {
    expect(await outputKind("/dev/null")).toBe("in-place");
    expect(await outputKind("-")).toBe("stdout");
    expect(await outputKind(join(dir, "new.csv"))).toBe("file");
    await checkOutputs([{ flag: "--out", path: "/dev/null", existing: "refuse" }], [], { overwrite: false });
  });

  it("a missing parent folder → refused unless the command creates it (the run folder)", async () => {
    const path = join(dir, "later", "run", "steps.jsonl");
    const output = { flag: "--manifest", path, existing: "refuse" as const };
    await expect(checkOutputs([output], [], { overwrite: false })).rejects.toThrow(
      /^--manifest .*steps\.jsonl cannot be written: folder .*later\/run does not exist/,
    );
    await checkOutputs([output], [], {
      overwrite: false,
      creates: [join(dir, "later", "run"), join(dir, "later")],
    });
  });
});

describe("trainer commands: no output is an input, nothing is replaced unasked", () => {
  const quarantine = ["--on-bad-record", "quarantine"];
  const cases: [string, () => string[], RegExp][] = [
    [
      "train --rejects naming the data",
      () => ["train", ...base, "--data", data, ...quarantine, "--rejects", data],
      /^error: --rejects .*toy\.csv is the training data \(--data\), which this command reads; give another file\n$/,
    ],
    [
      "train --manifest naming the data",
      () => ["train", ...base, "--data", data, "--manifest", data],
      /^error: --manifest .*toy\.csv is the training data/,
    ],
    [
      "train --manifest naming the validation data",
      () => ["train", ...base, "--data", dirtyData, "--validation-data", data, "--manifest", data],
      /^error: --manifest .*toy\.csv is the validation data \(--validation-data\)/,
    ],
    [
      "train --manifest naming the config file",
      () => ["train", "--config", join(dir, "config.json"), "--manifest", join(dir, "config.json")],
      /^error: --manifest .*config\.json is the config file \(--config\)/,
    ],
    [
      "inspect --rejects naming the data",
      () => [
        "inspect",
        ...["--label", "kind", "--seed", "3"],
        "--batch-size",
        "8",
        "--data",
        dirtyData,
        ...quarantine,
        "--rejects",
        dirtyData,
      ],
      /^error: --rejects .*dirty\.csv is the training data/,
    ],
    [
      "predict --out naming the data",
      () => ["predict", "--run", run, "--data", data, "--out", data, "--backend", "cpu"],
      /^error: --out .*toy\.csv is the data to predict \(--data\)/,
    ],
    [
      "predict --out naming the run's model",
      () => [
        "predict",
        "--run",
        run,
        "--data",
        data,
        "--out",
        join(run, "model", "weights.bin"),
        "--backend",
        "cpu",
      ],
      /^error: --out .*weights\.bin is a file of the run folder/,
    ],
    [
      "train --rejects in a missing folder",
      () => [
        "train",
        ...base,
        "--data",
        dirtyData,
        ...quarantine,
        "--rejects",
        join(dir, "nowhere", "bad.csv"),
      ],
      /^error: --rejects .*bad\.csv cannot be written: folder .*nowhere does not exist; create it first or give another path\n$/,
    ],
    [
      "train --rejects naming a folder",
      () => ["train", ...base, "--data", dirtyData, ...quarantine, "--rejects", dir],
      /^error: --rejects .* is a folder; give a file name\n$/,
    ],
    [
      "train --manifest of an existing file",
      () => ["train", ...base, "--data", data, "--manifest", join(dir, "kept.txt")],
      /^error: --manifest .*kept\.txt already exists; pass --overwrite to replace it, or give another file\n$/,
    ],
    [
      "train --rejects of an existing file",
      () => ["train", ...base, "--data", dirtyData, ...quarantine, "--rejects", join(dir, "kept.txt")],
      /^error: --rejects .*kept\.txt already exists; pass --overwrite/,
    ],
    [
      "predict --out of an existing file",
      () => ["predict", "--run", run, "--data", data, "--out", join(dir, "kept.txt"), "--backend", "cpu"],
      /^error: --out .*kept\.txt already exists; pass --overwrite/,
    ],
  ];

  it.each(cases)("%s → one-line error, exit 1, inputs unchanged, no run folder", async (_, args, message) => {
    await writeFile(join(dir, "kept.txt"), "keep me\n");
    await writeFile(
      join(dir, "config.json"),
      JSON.stringify({ data: "toy.csv", label: "kind", backend: "cpu" }),
    );
    const out = join(dir, "no-run");
    const given = args();
    const result = await runInProcess(given[0] === "train" ? [...given, "--out", out] : given);
    expect(result.stderr).toMatch(message);
    expect(result.code).toBe(1);
    expect(await readFile(data, "utf8")).toBe(original);
    expect(await readFile(join(dir, "kept.txt"), "utf8")).toBe("keep me\n");
    expect(await exists(out)).toBe(false);
  });

  it("--overwrite → an existing rejects file and manifest are replaced, the run completes", async () => {
    const rejects = join(dir, "old-rejects.csv");
    const manifest = join(dir, "old-manifest.jsonl");
    await writeFile(rejects, "old\n");
    await writeFile(manifest, "old\n");
    const result = await runInProcess([
      "train",
      ...base,
      "--data",
      dirtyData,
      ...quarantine,
      "--rejects",
      rejects,
      "--manifest",
      manifest,
      "--overwrite",
      "--out",
      join(dir, "overwritten"),
    ]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(await readFile(rejects, "utf8")).toMatch(/^file,line,row,column,reason,record\n.*dirty\.csv,4,2,/);
    expect(await readFile(manifest, "utf8")).toMatch(/^\{"type":"header"/);
  });

  it("--manifest in the run folder to be created → allowed (the run folder is made first)", async () => {
    const out = join(dir, "fresh", "run");
    const manifest = join(out, "steps.jsonl");
    const result = await runInProcess([
      "train",
      ...base,
      "--data",
      data,
      "--manifest",
      manifest,
      "--out",
      out,
    ]);
    expect(result.code).toBe(0);
    expect(await exists(manifest)).toBe(true);
  });

  it("overwrite in a config file → refused: only the command line may replace files", async () => {
    const config = join(dir, "overwrite.json");
    await writeFile(config, JSON.stringify({ data: "toy.csv", label: "kind", overwrite: true }));
    const result = await runInProcess(["train", "--config", config]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error: .*overwrite\.json: unknown setting "overwrite"/);
  });
});

describe("trainer predict --out: standard output, devices and pipes", () => {
  const predict = (out: string) => [
    "predict",
    "--run",
    run,
    "--data",
    data,
    "--out",
    out,
    "--backend",
    "cpu",
  ];

  it("--out - → the CSV on standard output, the summary on stderr", async () => {
    const result = await runInProcess(predict("-"));
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split("\n");
    expect(lines[0]).toBe("row,prediction,p_high,p_low,p_mid");
    expect(lines).toHaveLength(41);
    expect(result.stderr).toBe("Wrote 40 predictions to standard output\n");
  });

  it("--out a link to this process's standard output (as /dev/stdout is) → written in place, the link survives", async () => {
    const link = join(dir, "stdout-link");
    await symlink("/proc/self/fd/1", link);
    const result = await runCli(predict(link));
    expect(result.code).toBe(0);
    expect(result.stdout.split("\n")[0]).toBe("row,prediction,p_high,p_low,p_mid");
    expect(result.stdout.trim().split("\n")).toHaveLength(41);
    expect((await lstat(link)).isSymbolicLink()).toBe(true);
  });

  it("--out /dev/null → written in place, no --overwrite needed", async () => {
    const result = await runInProcess(predict("/dev/null"));
    expect(result.code).toBe(0);
    expect((await lstat("/dev/null")).isCharacterDevice()).toBe(true);
  });
});

describe("validation data that is the training data", () => {
  it("the same file, however spelled → one warning line; another file → none", async () => {
    const alias = join(dir, "alias.csv");
    await symlink(data, alias).catch(() => {});
    expect(await validationOverlap(data, alias)).toMatch(
      /^warning: --validation-data .*alias\.csv is the training data \(--data .*toy\.csv\): validation then measures rows the model trains on$/,
    );
    expect(await validationOverlap(data, dirtyData)).toBeNull();
    expect(await validationOverlap(data, undefined)).toBeNull();
  });

  it("a folder holding the training file among others → the shared file is named", async () => {
    const parts = join(dir, "overlap");
    await mkdir(parts, { recursive: true });
    await writeToyCsv(join(parts, "a.csv"), 5);
    await link(join(parts, "a.csv"), join(dir, "train-part.csv")).catch(() => {});
    await writeToyCsv(join(parts, "b.csv"), 5);
    expect(await validationOverlap(join(dir, "train-part.csv"), parts)).toMatch(
      /shares 1 of its 2 files with the training data .*, e\.g\. .*a\.csv: validation then measures/,
    );
  });

  it("train --validation-data equal to --data → the warning on stderr, and the run goes on", async () => {
    const result = await runInProcess([
      "train",
      ...base,
      "--data",
      data,
      "--validation-data",
      join(dir, ".", "toy.csv"),
      "--out",
      join(dir, "same-validation"),
    ]);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/^warning: --validation-data .*toy\.csv is the training data/);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
  });
});
