import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { runInProcess } from "../cli-capture.ts";
import { tempDir, writeToyCsv } from "../test-helpers.ts";

interface Line {
  epoch: number;
  step: number;
  pass: number;
  rows: number[];
  padding: number;
}

const dir = tempDir("inspect-shuffle-");
let serial = 0;

async function toy(numRows: number): Promise<string> {
  const file = join(dir, `toy-${serial++}.csv`);
  await writeToyCsv(file, numRows);
  return file;
}

async function inspectJson(args: string[]): Promise<{ batches: Line[]; summary: Record<string, unknown> }> {
  // A later --seed in `args` wins.
  const { code, stdout, stderr } = await runInProcess([
    "inspect",
    "--label",
    "kind",
    "--seed",
    "1",
    ...args,
    "--json",
  ]);
  expect(stderr).toBe("");
  expect(code).toBe(0);
  const lines = stdout
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line));
  const last = lines.pop();
  return { batches: lines as Line[], summary: last.summary };
}

/** Runs inspect expecting a failure: exit 1 and exactly one line on stderr, which is returned. */
async function inspectFails(args: string[]): Promise<string> {
  const { code, stdout, stderr } = await runInProcess(["inspect", "--label", "kind", ...args]);
  expect(code).toBe(1);
  expect(stdout).toBe("");
  expect(stderr.trim().split("\n")).toHaveLength(1);
  return stderr.trim();
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);

describe("trainer inspect --shuffle full", () => {
  it("any seed, batch size and shard count → across all ranks every row exactly once per pass, padding apart, equal steps per rank", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 7 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        async (numRows, batchSize, numShards, seed) => {
          const file = await toy(numRows);
          const ranks = [];
          for (let shardIndex = 0; shardIndex < numShards; shardIndex++) {
            const args = ["--data", file, "--batch-size", String(batchSize), "--seed", String(seed)];
            const shards = ["--num-shards", String(numShards), "--shard-index", String(shardIndex)];
            ranks.push(await inspectJson([...args, ...shards, "--epochs", "2"]));
          }
          const stepsPerRank = ranks.map((rank) => rank.batches.length);
          expect(new Set(stepsPerRank).size).toBe(1);
          const perRank = Math.ceil(numRows / numShards);
          for (const pass of [0, 1]) {
            const visits: number[] = [];
            let padding = 0;
            for (const rank of ranks) {
              const batches = rank.batches.filter((b) => b.pass === pass);
              expect(batches.flatMap((b) => b.rows)).toHaveLength(perRank);
              for (const b of batches) {
                visits.push(...b.rows.slice(0, b.rows.length - b.padding));
                padding += b.padding;
              }
            }
            expect(sorted(visits)).toEqual(range(numRows));
            expect(padding).toBe(perRank * numShards - numRows);
          }
          for (const rank of ranks)
            expect(rank.summary).toMatchObject({ shuffle: "full", numSamples: numRows });
        },
      ),
      { numRuns: 12 },
    );
  });

  it("the default on a CSV file → full: shuffled across the whole file, a new order each pass, the same for the same seed", async () => {
    const file = await toy(200);
    const args = ["--data", file, "--batch-size", "50", "--seed", "4", "--epochs", "2"];
    const run = await inspectJson(args);
    expect(run.summary).toMatchObject({ shuffle: "full", passes: 2, rowsRead: 200, rowsUsed: 200 });
    const [first, second] = [0, 1].map((e) =>
      run.batches.filter((b) => b.epoch === e).flatMap((b) => b.rows),
    );
    expect(sorted(first as number[])).toEqual(range(200));
    expect(second).not.toEqual(first);
    // A buffer shuffle keeps rows near their place; a full one puts rows from the whole file in the first batch.
    expect(Math.max(...(run.batches[0] as Line).rows)).toBeGreaterThan(150);
    expect((await inspectJson(args)).batches).toEqual(run.batches);
  });

  it("--shuffle none → file order through the index", async () => {
    const file = await toy(23);
    const { batches, summary } = await inspectJson([
      "--data",
      file,
      "--batch-size",
      "5",
      "--shuffle",
      "none",
    ]);
    expect(batches.flatMap((b) => b.rows)).toEqual(range(23));
    expect(summary).toMatchObject({ shuffle: "none" });
  });

  it("--on-bad-record skip → bad rows left out of the index's samples and counted once", async () => {
    const file = join(dir, "bad.csv");
    await writeFile(file, "a,b,kind\n1,2,x\n3,oops,y\n5,6,x\n7,8\n9,10,y\n");
    const { batches, summary } = await inspectJson([
      ...["--data", file, "--numeric", "a,b", "--batch-size", "5", "--on-bad-record", "skip"],
    ]);
    expect(sorted(batches.flatMap((b) => b.rows))).toEqual([0, 2, 4]);
    expect(summary).toMatchObject({ rowsRead: 5, rowsUsed: 3, rowsSkipped: 2, shuffle: "full" });
  });
});

describe("trainer inspect: gzip, memory budget and bad-row budget", () => {
  it("a .csv.gz → a buffer shuffle by default, --shuffle none streams it in order; --shuffle full → one line: gzip cannot be indexed, use --shuffle buffer", async () => {
    const plain = await toy(30);
    const gz = join(dir, "toy.csv.gz");
    await writeFile(gz, gzipSync(await readFile(plain)));
    const { batches, summary } = await inspectJson(["--data", gz, "--batch-size", "8", "--seed", "1"]);
    expect(summary).toMatchObject({ shuffle: "buffer", numSamples: 30 });
    expect(sorted(batches.flatMap((b) => b.rows))).toEqual(range(30));
    const ordered = await inspectJson(["--data", gz, "--batch-size", "8", "--shuffle", "none"]);
    expect(ordered.batches.flatMap((b) => b.rows)).toEqual(range(30));
    expect(ordered.summary).toMatchObject({ shuffle: "none" });
    const error = await inspectFails(["--data", gz, "--batch-size", "8", "--shuffle", "full"]);
    expect(error).toMatch(
      /^error: --shuffle full: .*toy\.csv\.gz is gzip-compressed and cannot be indexed .*use --shuffle buffer/,
    );
  });

  it.each([
    ["1KB", /^error: --memory-budget 1KB is too small .*; give at least \d+(\.\d+)? KiB/],
    ["lots", /^error: --memory-budget must be a positive byte count such as .*"256MB".*, got "lots"$/],
    ["-5MB", /^error: --memory-budget must be a positive byte count .*got "-5MB"$/],
  ])("--memory-budget %s → one line naming the flag, exit 1", async (budget, message) => {
    const file = await toy(10);
    expect(await inspectFails(["--data", file, "--batch-size", "4", "--memory-budget", budget])).toMatch(
      message,
    );
  });

  it("--memory-budget 2MB → read within it, the same batches as the default budget", async () => {
    const file = await toy(300);
    const args = ["--data", file, "--batch-size", "32", "--seed", "8"];
    const small = await inspectJson([...args, "--memory-budget", "2MB"]);
    expect(small.batches).toEqual((await inspectJson(args)).batches);
  });

  const dirty = async (name: string): Promise<string> => {
    const file = join(dir, name);
    const rows = range(20).map((i) =>
      i === 3 || i === 11 || i === 17 ? `${i},oops,x` : `${i},${i * 2},${i % 2 ? "x" : "y"}`,
    );
    await writeFile(file, `a,b,kind\n${rows.join("\n")}\n`);
    return file;
  };

  it.each([
    ["a CSV file (full)", "dirty.csv"],
    ["a .csv.gz (buffer)", "dirty.csv.gz"],
  ])(
    "%s with more bad rows than --max-bad-rows → one line with the count and the first bad lines, exit 1",
    async (_, name) => {
      let file = await dirty(name.replace(/\.gz$/, ""));
      if (name.endsWith(".gz")) {
        const gz = join(dir, name);
        await writeFile(gz, gzipSync(await readFile(file)));
        file = gz;
      }
      const args = ["--data", file, "--numeric", "a,b", "--batch-size", "4", "--on-bad-record", "skip"];
      const error = await inspectFails([...args, "--max-bad-rows", "2"]);
      expect(error).toMatch(/too many bad rows: 3 (of 20 )?rows skipped, more than --max-bad-rows 2/);
      expect(error).toMatch(/first: .*dirty\.csv(\.gz)?:5: .*"b".*"oops"; .*:13: .*; .*:19: /);
      const share = await inspectFails([...args, "--max-bad-rows", "10%"]);
      expect(share).toMatch(
        /too many bad rows: 3 of 20 rows skipped, more than --max-bad-rows 10% \(2 rows\)/,
      );
      const within = await inspectJson([...args, "--max-bad-rows", "15%"]);
      expect(within.summary).toMatchObject({ rowsUsed: 17, rowsSkipped: 3 });
    },
  );

  it.each([
    [["--max-bad-rows", "3"], /^error: --max-bad-rows goes with --on-bad-record skip or quarantine/],
    [
      ["--on-bad-record", "skip", "--max-bad-rows", "lots"],
      /^error: --max-bad-rows must be a row count .*got "lots"$/,
    ],
    [["--shuffle", "full", "--shuffle-buffer", "10"], /^error: --shuffle-buffer goes with --shuffle buffer/],
    [
      ["--shuffle", "buffer", "--memory-budget", "64MB"],
      /^error: --memory-budget goes with --shuffle full or none/,
    ],
  ])("%j → one line naming the conflict, exit 1", async (flags, message) => {
    const file = await toy(10);
    expect(await inspectFails(["--data", file, "--batch-size", "4", ...flags])).toMatch(message);
  });
});
