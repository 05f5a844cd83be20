import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { fixtureRows, jsonlText } from "../formats/fixtures.test-helpers.ts";
import { inferDataSchema } from "../formats/infer.ts";
import { tempDir } from "../row-index/test-helpers.ts";
import type { Schema } from "../schema/types.ts";
import type { Sample } from "../types.ts";
import { jsonlSource, openIndexedJsonl } from "./source.ts";

const dir = tempDir("stepwise-jsonl-");
const rows = fixtureRows(120, 3);

async function all(samples: AsyncIterable<Sample>): Promise<Sample[]> {
  const out: Sample[] = [];
  for await (const sample of samples) out.push(sample);
  return out;
}

async function schemaOf(path: string): Promise<Schema> {
  return inferDataSchema({ paths: path, label: "species", defaults: { maybe: "mean" } });
}

describe("jsonlSource", () => {
  it(".jsonl.gz streamed → the samples the indexed plain file gives, lines included", async () => {
    const text = jsonlText(rows);
    const plain = join(dir, "rows.jsonl");
    const gz = join(dir, "rows.jsonl.gz");
    await writeFile(plain, text);
    await writeFile(gz, gzipSync(text));
    const schema = await schemaOf(gz);
    expect(schema).toEqual(await schemaOf(plain));
    const streamed = await all(jsonlSource({ paths: gz, schema }).stream());
    const indexed = await all((await openIndexedJsonl({ paths: plain, schema, cache: false })).stream());
    expect(streamed.map((s) => [[...s.features], s.label, s.source.line])).toEqual(
      indexed.map((s) => [[...s.features], s.label, s.source.line]),
    );
  });

  it("blank lines, a BOM and CRLF → not records; lines counted as the file has them", async () => {
    const path = join(dir, "blank.jsonl");
    await writeFile(path, '\uFEFF{"a":1,"y":0}\r\n\n   \n{"a":2,"y":1}\r\n');
    const schema = await inferDataSchema({ paths: path, label: "y" });
    const samples = await all(jsonlSource({ paths: path, schema }).stream());
    expect(samples.map((s) => s.source.line)).toEqual([1, 4]);
    const indexed = await openIndexedJsonl({ paths: path, schema, cache: false });
    expect((await all(indexed.stream())).map((s) => s.source.line)).toEqual([1, 4]);
  });

  it("a line that is not a JSON object → under error, file:line and why; under skip, counted", async () => {
    const path = join(dir, "broken.jsonl");
    await writeFile(path, '{"a":1,"y":0}\n{"a":2,"y":1}\n[1,2]\n{"a":\n{"a":3,"y":1}\n');
    const schema = await inferDataSchema({ paths: path, label: "y", onBadRecord: "skip" });
    await expect(all(jsonlSource({ paths: path, schema }).stream())).rejects.toThrow(
      /broken\.jsonl:3: expected a JSON object, got an array/,
    );
    const skipping = jsonlSource({ paths: path, schema, onBadRecord: "skip" });
    expect(await all(skipping.stream())).toHaveLength(3);
    expect(skipping.summary().badRecords).toEqual({ "bad-json": 2 });
  });
});
