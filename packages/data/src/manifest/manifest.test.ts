import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { csvSource } from "../csv/source.ts";
import type { PipelineOptions } from "../pipeline/api.ts";
import { createPipeline } from "../pipeline/pipeline.ts";
import type { PipelineState } from "../pipeline/state.ts";
import { openIndexedCsv } from "../row-index/source.ts";
import { numericCsv, numericSchema, tempDir, writeCsv } from "../row-index/test-helpers.ts";
import type { SampleSource } from "../types.ts";
import { chainHash, type ManifestEntry } from "./format.ts";
import { describeManifestReport, verifyManifest } from "./verify.ts";
import { manifestOptions, openManifest } from "./writer.ts";

const dir = tempDir("stepwise-manifest-");
let names = 0;
const path = (name: string) => join(dir, `${names++}-${name}.jsonl`);

async function source(numSamples: number) {
  const file = await writeCsv(dir, `data-${numSamples}-${names++}.csv`, numericCsv(numSamples));
  return openIndexedCsv({ paths: file, schema: numericSchema(), cache: false });
}

/**
 * Trains (reads) from `state` (or the start) and writes every batch to `manifest`, stopping after
 * `stopAfter` batches when given; returns the checkpoint taken after `checkpointAfter` batches
 * (default: the last one), as a trainer that crashed later would have it.
 */
async function run(
  options: PipelineOptions,
  manifest: string,
  stopAfter: number | null = null,
  checkpointAfter: number | null = stopAfter,
): Promise<PipelineState> {
  const pipeline = await createPipeline(options);
  const writer = await openManifest(manifest, manifestOptions(pipeline));
  let checkpoint = pipeline.getState();
  let count = 0;
  for await (const batch of pipeline.batches()) {
    await writer.write(batch);
    count++;
    if (checkpointAfter === null || count <= checkpointAfter) checkpoint = pipeline.stateAfter(batch);
    if (count === stopAfter) break;
  }
  await writer.close();
  return JSON.parse(JSON.stringify(checkpoint)) as PipelineState;
}

async function editLine(
  file: string,
  change: (entry: ManifestEntry, all: ManifestEntry[]) => ManifestEntry | null,
  at: number,
) {
  const lines = (await readFile(file, "utf8")).trim().split("\n");
  const entries = lines.map((line) => JSON.parse(line));
  const changed = change(
    entries[at],
    entries.filter((e) => e.type !== "header"),
  );
  if (changed === null) lines.splice(at, 1);
  else lines[at] = JSON.stringify(changed);
  await writeFile(file, `${lines.join("\n")}\n`);
}

describe("manifest of a run", () => {
  it("two ranks with padding → every row once per pass, padding counted, report ok", async () => {
    const data = await source(11);
    const files = [path("rank0"), path("rank1")];
    for (const shardIndex of [0, 1]) {
      await run(
        { source: data, batchSize: 3, seed: 4, epochs: 2, numShards: 2, shardIndex },
        files[shardIndex] as string,
      );
    }
    const report = await verifyManifest(files, { numSamples: 11 });
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.passes.map((p) => [p.pass, p.distinctRows, p.paddingRows, p.complete])).toEqual([
      [0, 11, 1, true],
      [1, 11, 1, true],
    ]);
    expect(describeManifestReport(report).split("\n")).toEqual([
      "manifest OK: 8 steps, 2 passes, numSamples 11",
      "pass 0: 11 of 11 rows once each, 1 padding, complete",
      "pass 1: 11 of 11 rows once each, 1 padding, complete",
    ]);
  });

  it.each(["chunked", "per-sample"] as const)(
    "two ranks reading a streamed CSV (%s) with a buffer shuffle → padding counted, report ok",
    async (reading) => {
      const file = await writeCsv(dir, `stream-${names++}.csv`, numericCsv(11));
      const csv = csvSource({ paths: file, schema: numericSchema(), numSamples: 11 });
      // Without chunks() the pipeline takes the per-sample path.
      const data: SampleSource =
        reading === "chunked"
          ? csv
          : { numFeatures: csv.numFeatures, numSamples: 11, stream: () => csv.stream() };
      const files = [path("stream-rank0"), path("stream-rank1")];
      for (const shardIndex of [0, 1]) {
        const options = { source: data, batchSize: 3, seed: 4, epochs: 2, numShards: 2, shardIndex };
        await run({ ...options, shuffle: "buffer", shuffleBuffer: 4 }, files[shardIndex] as string);
      }
      const report = await verifyManifest(files, { numSamples: 11 });
      expect(report.problems).toEqual([]);
      expect(report.passes.map((p) => [p.pass, p.distinctRows, p.paddingRows, p.complete])).toEqual([
        [0, 11, 1, true],
        [1, 11, 1, true],
      ]);
    },
  );

  it("a planted duplicate (hash chain recomputed) → reported as a row appearing twice in its pass", async () => {
    const file = path("planted");
    await run({ source: await source(12), batchSize: 4, seed: 1, epochs: 1 }, file);
    await editLine(
      file,
      (entry, all) => {
        const first = (all[0] as ManifestEntry).rows[0] as number;
        const rows = [first, ...entry.rows.slice(1)];
        const previous = (all[0] as ManifestEntry).hash;
        return { ...entry, rows, hash: chainHash(previous, { ...entry, rows }) };
      },
      2,
    );
    const report = await verifyManifest(file, { numSamples: 12 });
    expect(report.ok).toBe(false);
    expect(report.problems.join("\n")).toMatch(/pass 0: row \d+ appears again at step 1/);
  });

  it("a duplicate planted without fixing the hash → reported as an edited line", async () => {
    const file = path("edited");
    await run({ source: await source(12), batchSize: 4, seed: 1, epochs: 1 }, file);
    await editLine(
      file,
      (entry, all) => ({
        ...entry,
        rows: [(all[0] as ManifestEntry).rows[0] as number, ...entry.rows.slice(1)],
      }),
      2,
    );
    const report = await verifyManifest(file, { numSamples: 12 });
    expect(report.problems.join("\n")).toMatch(/does not continue the chain/);
  });

  it("a deleted step → reported missing, and the pass incomplete though the next began", async () => {
    const file = path("deleted");
    await run({ source: await source(12), batchSize: 4, seed: 1, epochs: 2 }, file);
    await editLine(file, () => null, 2);
    const problems = (await verifyManifest(file, { numSamples: 12 })).problems.join("\n");
    expect(problems).toMatch(/steps 1–1 are missing/);
    expect(problems).toMatch(/pass 0: 4 of 12 rows never appeared, yet pass 1 began/);
  });

  it("another numSamples than the manifest's → reported", async () => {
    const file = path("count");
    await run({ source: await source(6), batchSize: 4, seed: 1 }, file);
    expect((await verifyManifest(file, { numSamples: 7 })).problems).toContain(
      "manifest was written for numSamples 6, expected 7",
    );
  });
});

describe("manifest of a resumed run", () => {
  const options = async () => ({
    source: await source(10),
    batchSize: 3,
    seed: 7,
    stepsPerEpoch: 3,
    epochs: 4,
  });

  it("crash after the checkpoint, resumed and appended → equals the uninterrupted run's manifest step by step", async () => {
    const base = await options();
    const reference = path("reference");
    await run(base, reference);
    const resumed = path("resumed");
    const checkpoint = await run(base, resumed, 7, 5); // checkpoint after step 4, crash after step 6
    await run({ ...base, state: checkpoint }, resumed);
    const report = await verifyManifest(resumed, { reference });
    expect(report.problems).toEqual([]);
    expect(report.matchingSteps).toBe(12);
  });

  it("resumed with another seed → every step after the resume differs from the reference", async () => {
    const base = await options();
    const reference = path("reference");
    await run(base, reference);
    const other = path("other-seed");
    const checkpoint = (await run(base, other, 4)) as PipelineState & { seed: number };
    await run({ ...base, seed: 8, state: { ...checkpoint, seed: 8 } }, other);
    const report = await verifyManifest(other, { reference });
    expect(report.ok).toBe(false);
    expect(report.problems.join("\n")).toMatch(/step 4 \(rank 0\/1\) differs from the reference/);
  });

  it("resumed at another shard count → old and new ranks together cover every pass exactly once", async () => {
    const data = await source(17);
    const base = {
      source: data,
      batchSize: 2,
      seed: 3,
      stepsPerEpoch: 4,
      epochs: 6,
      shardPolicy: "pad" as const,
    };
    const files = [path("w2-r0"), path("w2-r1"), path("w3-r0"), path("w3-r1"), path("w3-r2")];
    let state: PipelineState | null = null;
    for (const shardIndex of [0, 1]) {
      // Each old rank writes one step past its checkpoint before the crash: the new ranks replace it.
      state = await run({ ...base, numShards: 2, shardIndex }, files[shardIndex] as string, 4, 3);
    }
    for (const shardIndex of [0, 1, 2]) {
      await run(
        { ...base, numShards: 3, shardIndex, state: state as PipelineState },
        files[2 + shardIndex] as string,
      );
    }
    const report = await verifyManifest(files, { numSamples: 17 });
    expect(report.problems).toEqual([]);
    const complete = report.passes.filter((p) => p.complete);
    expect(complete.length).toBeGreaterThanOrEqual(2);
    expect(complete.every((p) => p.distinctRows === 17 && p.rows === 17)).toBe(true);
  });
});

describe("manifest ends", () => {
  const options = async () => ({
    source: await source(10),
    batchSize: 3,
    seed: 7,
    stepsPerEpoch: 3,
    epochs: 4,
  });

  it("a run stopped before its planned end (closed without an outcome) → FAILED as incomplete; allowIncomplete → ok", async () => {
    const file = path("stopped");
    await run(await options(), file, 5);
    const lines = (await readFile(file, "utf8")).trim().split("\n");
    expect(JSON.parse(lines[0] as string)).toMatchObject({ version: 2, endStep: 12 });
    expect(JSON.parse(lines.at(-1) as string)).toMatchObject({
      type: "end",
      nextStep: 5,
      reason: "incomplete",
    });
    const report = await verifyManifest(file);
    expect(report.ok).toBe(false);
    expect(report.problems).toContain(
      "rank 0/1: the run stopped after step 4 of the 12 planned: it failed or was interrupted; resume it to finish, or accept a partial manifest with --allow-incomplete (allowIncomplete)",
    );
    expect(report.ranks).toEqual([{ rank: "0/1", nextStep: 5, endStep: 12, ended: "incomplete" }]);
    expect((await verifyManifest(file, { allowIncomplete: true })).ok).toBe(true);
  });

  it("a run that stopped early on purpose (early stopping) → ok, and the report says so", async () => {
    const file = path("early");
    const pipeline = await createPipeline(await options());
    const writer = await openManifest(file, manifestOptions(pipeline));
    for await (const batch of pipeline.epoch(0)) await writer.write(batch);
    await writer.close({ finished: true, stoppedEarly: true });
    const report = await verifyManifest(file);
    expect(report.problems).toEqual([]);
    expect(report.ranks).toEqual([{ rank: "0/1", nextStep: 3, endStep: 12, ended: "stopped-early" }]);
    expect(describeManifestReport(report)).toContain(
      "rank 0/1: stopped early on purpose after 3 of 12 planned steps",
    );
  });

  it("an interrupted run resumed to its end → the last segment decides: complete, ok", async () => {
    const base = await options();
    const file = path("resumed-end");
    const checkpoint = await run(base, file, 7, 5);
    await run({ ...base, state: checkpoint }, file);
    const report = await verifyManifest(file);
    expect(report.problems).toEqual([]);
    expect(report.ranks).toEqual([{ rank: "0/1", nextStep: 12, endStep: 12, ended: "complete" }]);
  });

  it("a version 1 manifest (no planned end, no end record) → still read and checked; a missing tail shows against a reference", async () => {
    const base = await options();
    const reference = path("v2-reference");
    await run(base, reference);
    const file = path("v1");
    await run(base, file);
    // As written before version 2: no endStep in the header, no end record, and here the last 2 steps lost.
    const lines = (await readFile(file, "utf8")).trim().split("\n").slice(0, -3);
    const { endStep: _, ...header } = JSON.parse(lines[0] as string);
    lines[0] = JSON.stringify({ ...header, version: 1 });
    await writeFile(file, `${lines.join("\n")}\n`);
    const alone = await verifyManifest(file);
    expect(alone.problems).toEqual([]);
    expect(alone.ranks).toEqual([{ rank: "0/1", nextStep: 10, endStep: null, ended: "unknown" }]);
    const compared = await verifyManifest(file, { reference });
    expect(compared.problems).toEqual([
      "rank 0/1: the reference has steps 10–11 that the manifest lacks: its last lines are missing or its run stopped early; accept a partial manifest with --allow-incomplete (allowIncomplete)",
    ]);
  });
});
