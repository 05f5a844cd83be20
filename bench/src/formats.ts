// The same numeric data as CSV, JSON Lines, Parquet and Arrow IPC, each read as the trainer reads
// it by default (a full shuffle through random access) into one epoch of batches: rows/s of each
// format as a ratio to CSV in one run.

import { once } from "node:events";
import { createReadStream, createWriteStream, existsSync } from "node:fs";
import { rename, writeFile } from "node:fs/promises";
import type { DataFormat, DataSource, Pipeline, Schema } from "@stepwise/data/internals";
import { parse } from "csv-parse";
import type { BenchInput, Contender } from "./contenders.ts";
import { fitSchema } from "./stepwise.ts";

let pipeline: Pipeline | null = null;

/** Rows per Parquet row group and Arrow record batch. */
const GROUP_ROWS = 100_000;

/** The numeric CSV's columns, read once into memory (numbers), for the columnar writers. */
async function columns(file: string): Promise<{ names: string[]; values: Float64Array[] }> {
  const records = createReadStream(file).pipe(parse({ from_line: 1 }));
  let names: string[] = [];
  let values: number[][] = [];
  for await (const record of records as AsyncIterable<string[]>) {
    if (names.length === 0) {
      names = record;
      values = names.map(() => []);
      continue;
    }
    for (let c = 0; c < record.length; c++) (values[c] as number[]).push(Number(record[c]));
  }
  return { names, values: values.map((v) => Float64Array.from(v)) };
}

/** The CSV converted to `format` beside it (made once; untimed setup); `plain`: Parquet with required, PLAIN-encoded columns. */
async function converted(file: string, format: Exclude<DataFormat, "csv">, plain = false): Promise<string> {
  const path = plain ? `${file}.plain.${format}` : `${file}.${format}`;
  if (existsSync(path)) return path;
  const { names, values } = await columns(file);
  const temporary = `${path}.tmp`;
  if (format === "jsonl") {
    const out = createWriteStream(temporary);
    const rows = values[0]?.length ?? 0;
    for (let r = 0; r < rows; r++) {
      const line = `{${names.map((n, c) => `${JSON.stringify(n)}:${(values[c] as Float64Array)[r]}`).join(",")}}\n`;
      if (!out.write(line)) await once(out, "drain");
    }
    out.end();
    await once(out, "finish");
  } else if (format === "parquet") {
    const { parquetWriteBuffer } = await import("hyparquet-writer");
    // Default: what most writers produce (optional columns, dictionary encoding, snappy), hyparquet's
    // slower path; plain: required columns in PLAIN encoding, which hyparquet decodes into typed arrays.
    const columnData = names.map((name, c) => ({
      name,
      data: values[c] as Float64Array,
      type: "DOUBLE" as const,
      ...(plain ? { nullable: false, encoding: "PLAIN" as const } : {}),
    }));
    await writeFile(temporary, new Uint8Array(parquetWriteBuffer({ columnData, rowGroupSize: GROUP_ROWS })));
  } else {
    const { Table, tableFromArrays, tableToIPC } = await import("apache-arrow");
    const table = tableFromArrays(Object.fromEntries(names.map((n, c) => [n, values[c] as Float64Array])));
    const batches = [];
    for (let start = 0; start < table.numRows; start += GROUP_ROWS) {
      batches.push(...table.slice(start, start + GROUP_ROWS).batches);
    }
    await writeFile(temporary, tableToIPC(new Table(table.schema, batches), "file"));
  }
  await rename(temporary, path);
  return path;
}

async function setUp(input: BenchInput, format: DataFormat, plain = false): Promise<void> {
  const data = await import("@stepwise/data/internals");
  // The CSV's schema for every format: the differential tests prove each format fits the same one.
  const schema: Schema = await fitSchema(input);
  const paths = format === "csv" ? input.data.file : await converted(input.data.file, format, plain);
  const source: DataSource = await data.openDataSource(format, { paths, schema });
  pipeline = await data.createPipeline({ source, batchSize: input.batchSize, seed: 1, shuffle: "full" });
}

async function epoch(): Promise<number> {
  let rows = 0;
  for await (const batch of (pipeline as Pipeline).epoch(0)) rows += batch.batchSize;
  return rows;
}

function formatContender(format: DataFormat, label: string, plain = false): Contender {
  return {
    id: `format${format[0]?.toUpperCase()}${format.slice(1)}${plain ? "Plain" : ""}`,
    label: `stepwise ${label}: full shuffle → Float32Array batches`,
    setup: (input) => setUp(input, format, plain),
    run: epoch,
  };
}

export const formatCsv = formatContender("csv", "CSV (row index)");
export const formatJsonl = formatContender("jsonl", "JSON Lines (line index)");
export const formatParquet = formatContender("parquet", "Parquet (row groups; optional, dictionary, snappy)");
export const formatParquetPlain = formatContender(
  "parquet",
  "Parquet (row groups; required, PLAIN, snappy)",
  true,
);
export const formatArrow = formatContender("arrow", "Arrow IPC (record batches)");
