import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { type RecordBatch, Table, tableFromArrays, tableToIPC } from "apache-arrow";
import { parse } from "csv-parse/sync";
import { parquetWriteBuffer } from "hyparquet-writer";
import { beforeAll, describe, expect, it } from "vitest";
import { runInProcess } from "./cli-capture.ts";
import { REPO_ROOT, tempDir } from "./test-helpers.ts";

const dir = tempDir("formats-");
const csvPath = join(REPO_ROOT, "examples", "iris", "iris.csv");
const config = join(REPO_ROOT, "examples", "iris", "train.json");
const NUMERIC = ["sepal_length", "sepal_width", "petal_length", "petal_width"];

/** The Iris CSV converted to each format (rows of 40: several row groups and record batches). */
async function convert(): Promise<Record<string, string>> {
  const records = parse(await readFile(csvPath), { columns: true }) as Record<string, string>[];
  const column = (name: string) => records.map((r) => Number(r[name]));
  const species = records.map((r) => r.species as string);
  const jsonl = join(dir, "iris.jsonl");
  await writeFile(
    jsonl,
    `${records.map((r) => JSON.stringify({ ...Object.fromEntries(NUMERIC.map((n) => [n, Number(r[n])])), species: r.species })).join("\n")}\n`,
  );
  const parquet = join(dir, "iris.parquet");
  const columnData = [
    ...NUMERIC.map((name) => ({ name, data: column(name), type: "DOUBLE" as const })),
    { name: "species", data: species, type: "STRING" as const },
  ];
  await writeFile(parquet, new Uint8Array(parquetWriteBuffer({ columnData, rowGroupSize: 40 })));
  const table = tableFromArrays({
    ...Object.fromEntries(NUMERIC.map((name) => [name, Float64Array.from(column(name))])),
    species,
  });
  const batches: RecordBatch[] = [];
  for (let start = 0; start < records.length; start += 40)
    batches.push(...table.slice(start, start + 40).batches);
  const arrow = join(dir, "iris.arrow");
  await writeFile(arrow, tableToIPC(new Table(table.schema, batches), "file"));
  return { jsonl, parquet, arrow };
}

async function train(data: string, name: string): Promise<string> {
  const out = join(dir, name);
  const run = await runInProcess([
    "train",
    "--config",
    config,
    "--data",
    data,
    "--out",
    out,
    "--backend",
    "cpu",
  ]);
  expect(run.stderr).toBe("");
  expect(run.code).toBe(0);
  return readFile(join(out, "history.csv"), "utf8");
}

const valAccuracy = (history: string) => {
  const lines = history.trim().split("\n");
  const header = (lines[0] as string).split(",");
  return lines.slice(1).map((line) => Number(line.split(",")[header.indexOf("val_accuracy")]));
};

describe("trainer on the Iris example converted to other formats", () => {
  let files: Record<string, string> = {};
  let csvHistory = "";
  beforeAll(async () => {
    files = await convert();
    csvHistory = await train(csvPath, "csv");
  }, 120_000);

  it.each(["jsonl", "parquet", "arrow"])(
    "%s chosen by extension → trains to the CSV's accuracy, epoch by epoch",
    async (format) => {
      const history = await train(files[format] as string, format);
      const csv = valAccuracy(csvHistory);
      expect(valAccuracy(history)).toEqual(csv);
      expect(csv.at(-1)).toBeGreaterThanOrEqual(0.9);
    },
    120_000,
  );

  it("plan --data on a Parquet file → counts its rows", async () => {
    const run = await runInProcess([
      "plan",
      "--data",
      files.parquet as string,
      "--batch-size",
      "16",
      "--epochs",
      "1",
    ]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/150/);
  });

  it("--format jsonl on a file without the extension → read as JSON Lines", async () => {
    const plain = join(dir, "iris-lines.txt");
    await writeFile(plain, await readFile(files.jsonl as string));
    const run = await runInProcess([
      "plan",
      "--data",
      plain,
      "--format",
      "jsonl",
      "--batch-size",
      "16",
      "--epochs",
      "1",
    ]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/150/);
  });
});
