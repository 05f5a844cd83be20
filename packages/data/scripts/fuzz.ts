// `pnpm --filter @stepwise/data fuzz [--runs N] [--seed S]`: long randomized runs of the
// differential properties that the test suite runs briefly. The byte-level line encoder and the
// chunked CSV pass must equal the reference path (csv-parse fields → SchemaEncoder, and the
// per-sample csvSource stream) on random schemas and files: same values bit for bit, same bad
// rows, errors, line numbers, counts and rejects. Prints the seed, so a failure can be replayed.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { parse } from "csv-parse/sync";
import fc from "fast-check";
import { LineEncoder } from "../src/csv/line-encoder.ts";
import { lineFor, numericCsvCase, schemaCase } from "../src/csv/numeric-arbitraries.test-helpers.ts";
import { rowProblem } from "../src/csv/read.ts";
import { type CsvSourceOptions, csvSource } from "../src/csv/source.ts";
import { SchemaEncoder } from "../src/schema/encode.ts";
import type { SampleChunk } from "../src/types.ts";

const { values: args } = parseArgs({
  options: { runs: { type: "string", default: "200000" }, seed: { type: "string" } },
});
const runs = Number(args.runs);
const seed = args.seed === undefined ? Date.now() % 2 ** 31 : Number(args.seed);
const bits = (values: Float32Array) => [...new Uint32Array(Float32Array.from(values).buffer)];
const same = (a: unknown, b: unknown, what: string) => {
  const x = JSON.stringify(a);
  const y = JSON.stringify(b);
  if (x !== y) throw new Error(`${what} differ:\n  fast      ${x}\n  reference ${y}`);
};

/** Lines: the line encoder takes a line only when the reference path gives exactly its values. */
function lines(numRuns: number): number {
  let taken = 0;
  fc.assert(
    fc.property(
      schemaCase
        .chain((c) =>
          fc.tuple(fc.constant(c), fc.constantFrom(",", ";", "\t"), fc.constantFrom("\n", "\r\n")),
        )
        .chain(([c, delimiter, ending]) =>
          fc.tuple(fc.constant(c), fc.constant(delimiter), lineFor(c, delimiter), fc.constant(ending)),
        ),
      ([c, delimiter, line, ending]) => {
        const bound = new SchemaEncoder(c.schema);
        bound.bind(c.schema.columns);
        const encoder = LineEncoder.create(bound.plan(), delimiter) as LineEncoder;
        const bytes = Buffer.from(`${line}${ending}`);
        const out = new Float32Array(c.schema.numFeatures);
        const lf = encoder.encode(bytes, 0, bytes.length, out, 0);
        if (lf < 0) return;
        taken++;
        const records: string[][] = parse(bytes, {
          delimiter,
          relax_column_count: true,
          record_delimiter: ["\r\n", "\n"],
        });
        const reference = new SchemaEncoder(c.schema);
        reference.bind(c.schema.columns);
        const expected = new Float32Array(c.schema.numFeatures);
        const fields = records[0] as string[];
        const label = rowProblem(fields, c.schema.columns, false) ?? reference.encode(fields, expected);
        same(
          [lf, records.length, typeof label, reference.unseen.size],
          [bytes.length - 1, 1, "number", 0],
          "line end, records, verdict",
        );
        if (!Object.is(encoder.label, label))
          throw new Error(`labels differ: ${encoder.label} vs ${String(label)}`);
        same(bits(out), bits(expected), "features");
      },
    ),
    { numRuns, seed },
  );
  return taken;
}

/** Files: a chunked pass equals the per-sample stream, whatever the chunk size and policy. */
async function files(numRuns: number, dir: string): Promise<number> {
  let serial = 0;
  let samples = 0;
  const pass = async (options: CsvSourceOptions, how: "stream" | "chunks") => {
    const rejects = options.onBadRecord === "quarantine" ? join(dir, `r${serial++}.csv`) : null;
    const source = csvSource({ ...options, ...(rejects ? { rejects } : {}) });
    const seen: unknown[] = [];
    let error: string | null = null;
    try {
      if (how === "stream")
        for await (const s of source.stream()) seen.push([bits(s.features), s.label, s.source]);
      else
        for await (const c of (source.chunks as () => AsyncIterable<SampleChunk>)()) {
          for (let i = 0; i < c.numSamples; i++) {
            seen.push([
              bits(c.features.subarray(i * c.numFeatures, (i + 1) * c.numFeatures)),
              c.labels[i],
              c.rows[i],
            ]);
          }
        }
    } catch (e) {
      error = (e as Error).message;
    }
    const text = rejects ? await readFile(rejects, "utf8").catch(() => null) : null;
    return { seen, error, summary: { ...source.summary(), rejects: null }, text };
  };
  await fc.assert(
    fc.asyncProperty(
      numericCsvCase,
      fc.constantFrom("error", "skip", "quarantine") as fc.Arbitrary<"error" | "skip" | "quarantine">,
      fc.constantFrom(1, 2, 5, 16, 64, 4096),
      async (c, onBadRecord, chunkBytes) => {
        const path = join(dir, `f${serial++}.csv`);
        await writeFile(path, c.text);
        const options: CsvSourceOptions = {
          paths: path,
          schema: c.schema,
          delimiter: c.delimiter,
          onBadRecord,
          chunkBytes,
        };
        const fast = await pass(options, "chunks");
        same(fast, await pass(options, "stream"), "passes");
        samples += fast.seen.length;
        await rm(path);
      },
    ),
    { numRuns, seed },
  );
  return samples;
}

const dir = await mkdtemp(join(tmpdir(), "stepwise-fuzz-"));
console.log(
  `fuzz seed ${seed}: ${runs.toLocaleString("en")} random lines, ${Math.ceil(runs / 50).toLocaleString("en")} random files`,
);
try {
  let start = performance.now();
  const taken = lines(runs);
  console.log(
    `lines: ${runs.toLocaleString("en")} checked, ${taken.toLocaleString("en")} taken by the line encoder, all equal (${((performance.now() - start) / 1000).toFixed(1)} s)`,
  );
  start = performance.now();
  const samples = await files(Math.ceil(runs / 50), dir);
  console.log(
    `files: ${Math.ceil(runs / 50).toLocaleString("en")} passes, ${samples.toLocaleString("en")} samples, all equal (${((performance.now() - start) / 1000).toFixed(1)} s)`,
  );
} finally {
  await rm(dir, { recursive: true, force: true });
}
