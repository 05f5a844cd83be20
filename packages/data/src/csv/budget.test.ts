import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DataError } from "../errors.ts";
import { collect } from "../pipeline/test-helpers.ts";
import { numericSchema, tempDir } from "../row-index/test-helpers.ts";
import { badRowLimit, parseMaxBadRows } from "./budget.ts";
import { csvSource } from "./source.ts";

describe("parseMaxBadRows", () => {
  it.each<[number | string, number | null, number | null]>([
    [0, 0, null],
    [10, 10, null],
    ["10", 10, null],
    [0.001, null, 0.001],
    ["0.1%", null, 0.001],
    [" 5% ", null, 0.05],
    ["100%", null, 1],
    [".5%", null, 0.005],
  ])("%j → count %j, fraction %j", (value, count, fraction) => {
    const budget = parseMaxBadRows(value);
    expect(budget.count).toBe(count);
    if (fraction === null) expect(budget.fraction).toBeNull();
    else expect(budget.fraction).toBeCloseTo(fraction, 12);
  });

  it.each([[-1], [1.5], ["abc"], ["101%"], ["%"], [Number.NaN], [""]])(
    "%j → DataError naming the accepted forms",
    (value) => {
      expect(() => parseMaxBadRows(value as number | string)).toThrow(DataError);
      expect(() => parseMaxBadRows(value as number | string)).toThrow("maxBadRows must be a row count");
    },
  );

  it.each<[number | string, number | null, number | null]>([
    [5, null, 5],
    ["1%", 1000, 10],
    ["1%", 999, 9],
    ["1%", null, null],
  ])("limit of %j among %j rows → %j", (value, rows, limit) => {
    expect(badRowLimit(parseMaxBadRows(value), rows)).toBe(limit);
  });
});

describe("csvSource maxBadRows", () => {
  const dir = tempDir("stepwise-budget-");
  const schema = numericSchema();
  const rows = [
    "x,y,label",
    "1,2,3",
    "a,2,3",
    "4,5,6",
    "b,2,3",
    "7,8,9",
    "c,2,3",
    "1,1,1",
    "2,2,2",
    "3,3,3",
    "4,4,4",
  ];

  it("a count exceeded mid-pass → DataError at once, naming the count and the first bad lines", async () => {
    const file = join(dir, "count.csv");
    await writeFile(file, `${rows.join("\n")}\n`);
    const source = csvSource({ paths: file, schema, onBadRecord: "skip", maxBadRows: 1 });
    const pass = collect(source.stream());
    await expect(pass).rejects.toThrow(
      `too many bad rows: 2 rows skipped, more than maxBadRows 1; first: ${file}:3: column 1 "x" expected a number, got "a"; ${file}:5: column 1 "x" expected a number, got "b"`,
    );
    expect(source.summary().lastPass?.rowsRead).toBe(4);
  });

  it("a share exceeded → DataError when the pass ends, with the rows read", async () => {
    const file = join(dir, "share.csv");
    await writeFile(file, `${rows.join("\n")}\n`);
    const source = csvSource({ paths: file, schema, onBadRecord: "skip", maxBadRows: "20%" });
    await expect(collect(source.stream())).rejects.toThrow(
      /^too many bad rows: 3 of 10 rows skipped, more than maxBadRows 20% \(2 rows\); first: .*share.csv:3: .*share.csv:7: column 1 "x" expected a number, got "c"$/,
    );
  });

  it("within the share → the pass completes", async () => {
    const file = join(dir, "within.csv");
    await writeFile(file, `${rows.join("\n")}\n`);
    const source = csvSource({ paths: file, schema, onBadRecord: "skip", maxBadRows: "30%" });
    expect(await collect(source.stream())).toHaveLength(7);
  });

  it("with the error policy → DataError: the budget needs skip or quarantine", () => {
    expect(() => csvSource({ paths: "x.csv", schema, maxBadRows: 3 })).toThrow(
      'maxBadRows needs onBadRecord "skip" or "quarantine"',
    );
  });
});
