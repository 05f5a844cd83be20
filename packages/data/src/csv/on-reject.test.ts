import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { numericSchema, tempDir } from "../row-index/test-helpers.ts";
import type { RejectedRow } from "./policy.ts";
import { csvSource } from "./source.ts";

const dir = tempDir("stepwise-on-reject-");

// Rows 1 and 3 are bad (a word where a number belongs, a missing field); 0, 2 and 4 are fine.
const CSV = "x,y,label\n1,2,0\n1,oops,1\n3,4,0\n5,6\n7,8,1\n";

async function rejectedBy(
  reading: "stream" | "chunks",
  policy: "skip" | "quarantine",
): Promise<RejectedRow[][]> {
  const path = join(dir, `${reading}-${policy}.csv`);
  await writeFile(path, CSV);
  const rejected: RejectedRow[] = [];
  const source = csvSource({
    paths: path,
    schema: numericSchema(),
    onBadRecord: policy,
    ...(policy === "quarantine" ? { rejects: join(dir, `${reading}-rejects.csv`) } : {}),
    onReject: (row) => rejected.push(row),
  });
  const perPass: RejectedRow[][] = [];
  for (let pass = 0; pass < 2; pass++) {
    const seen: number[] = [];
    if (reading === "stream") for await (const sample of source.stream()) seen.push(sample.source.index);
    else for await (const chunk of source.chunks?.() ?? []) seen.push(...chunk.rows.map((row) => row.index));
    expect(seen).toEqual([0, 2, 4]);
    perPass.push(rejected.splice(0));
  }
  return perPass;
}

describe("csvSource onReject", () => {
  it.each([
    ["stream", "skip"],
    ["chunks", "skip"],
    ["stream", "quarantine"],
    ["chunks", "quarantine"],
  ] as const)(
    "%s pass, %s → called for each bad record of every pass, in file order, with row and reason",
    async (reading, policy) => {
      const passes = await rejectedBy(reading, policy);
      for (const rejected of passes) {
        expect(rejected.map((r) => [r.row.index, r.row.line, r.code, r.column])).toEqual([
          [1, 3, "bad-number", "y"],
          [3, 5, "field-count", null],
        ]);
        expect(rejected[0]?.reason).toContain('"oops"');
      }
    },
  );

  it("error policy → the bad record throws and onReject is not called", async () => {
    const path = join(dir, "error.csv");
    await writeFile(path, CSV);
    const rejected: RejectedRow[] = [];
    const source = csvSource({ paths: path, schema: numericSchema(), onReject: (row) => rejected.push(row) });
    await expect(async () => {
      for await (const _ of source.stream());
    }).rejects.toThrow("error.csv:3:");
    expect(rejected).toEqual([]);
  });
});
