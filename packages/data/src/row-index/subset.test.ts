import { describe, expect, it } from "vitest";
import { createPipeline } from "../pipeline/pipeline.ts";
import { collect } from "../pipeline/test-helpers.ts";
import { openIndexedCsv } from "./source.ts";
import { subsetBlocks } from "./subset.ts";
import { numericCsv, numericSchema, tempDir, writeCsv } from "./test-helpers.ts";

describe("subsetBlocks", () => {
  it("a subset of an indexed file → its members only, each once per pass, fully shuffled and resumable", async () => {
    const file = await writeCsv(tempDir(), "subset.csv", numericCsv(30));
    const source = await openIndexedCsv({ paths: file, schema: numericSchema(), cache: false });
    const members = Uint32Array.from([29, 3, 17, 8, 0, 12, 25]);
    const subset = subsetBlocks(source, members);
    expect((await collect(subset.stream())).map((s) => s.label)).toEqual([...members]);
    const options = { source: subset, batchSize: 3, seed: 2, epochs: 2 };
    const batches = await collect((await createPipeline(options)).batches());
    for (const pass of [0, 1]) {
      const labels = batches.filter((b) => b.pass === pass).flatMap((b) => [...b.ys]);
      expect(labels.sort((a, b) => a - b)).toEqual([...members].sort((a, b) => a - b));
    }
    expect("planHash" in (await createPipeline(options)).getState()).toBe(true);
  });

  it.each([
    [[], "a subset needs at least one sample"],
    [[0, 30], "subset member must be a sample index in [0, 30), got 30"],
  ])("members %j → DataError", async (members, message) => {
    const file = await writeCsv(tempDir(), "subset-bad.csv", numericCsv(30));
    const source = await openIndexedCsv({ paths: file, schema: numericSchema(), cache: false });
    expect(() => subsetBlocks(source, Float64Array.from(members))).toThrow(message);
  });
});
