import { Command } from "commander";
import { describe, expect, it } from "vitest";
import { UsageError } from "./errors.ts";
import { addCsvFormatFlags } from "./flags.ts";
import { classWeightFlag, delimiterFlag, maxCategoriesFlag } from "./options.ts";

describe("--delimiter", () => {
  it.each([
    [",", ","],
    [";", ";"],
    ["|", "|"],
    ["\t", "\t"],
    ["\\t", "\t"],
    ["tab", "\t"],
    ["§", "§"],
  ])("%j → delimiter %j", (raw, expected) => {
    expect(delimiterFlag(raw)).toBe(expected);
  });

  it.each(["ab", "", ",,", '"', "\n", "\r"])("%j → UsageError naming the flag and the value", (raw) => {
    expect(() => delimiterFlag(raw)).toThrow(UsageError);
    expect(() => delimiterFlag(raw)).toThrow(`--delimiter must be one character`);
    expect(() => delimiterFlag(raw)).toThrow(JSON.stringify(raw));
  });

  it("the CSV format flags → --delimiter ab refused while parsing the command line", () => {
    const command = addCsvFormatFlags(new Command("x").exitOverride());
    expect(() => command.parse(["--delimiter", "ab"], { from: "user" })).toThrow(/one character.*"ab"/);
    command.parse(["--delimiter", ";"], { from: "user" });
    expect(command.opts().delimiter).toBe(";");
  });
});

describe("--class-weight", () => {
  it("balanced or class=weight pairs → the normalised text", () => {
    expect(classWeightFlag("balanced")).toBe("balanced");
    expect(classWeightFlag("0=1, 1 = 4")).toBe("0=1,1=4");
    expect(classWeightFlag("setosa=2.5")).toBe("setosa=2.5");
  });

  it.each(["", "0", "0=", "0=-1", "0=abc", "a=1,,b=2", "0=1,0=2"])(
    "%j → UsageError naming the flag",
    (raw) => {
      expect(() => classWeightFlag(raw)).toThrow(UsageError);
      expect(() => classWeightFlag(raw)).toThrow(/--class-weight/);
    },
  );
});

describe("--max-categories", () => {
  it.each([
    ["64", 64],
    ["origin=500,64", { origin: 500, "*": 64 }],
    ["origin=500, dest=300", { origin: 500, dest: 300 }],
    ["a=b=2", { "a=b": 2 }],
  ])("%j → %j", (raw, expected) => {
    expect(maxCategoriesFlag(raw)).toEqual(expected);
  });

  it.each([
    ["0", /--max-categories must be a positive integer, got "0"/],
    ["origin=x", /--max-categories must be a positive integer, got "x"/],
    ["=5", /--max-categories must look like origin=500,64/],
    ["64,32", /--max-categories must look like origin=500,64/],
    ["o=1,o=2", /--max-categories must look like origin=500,64/],
  ])("%j → UsageError %s", (raw, message) => {
    expect(() => maxCategoriesFlag(raw)).toThrow(UsageError);
    expect(() => maxCategoriesFlag(raw)).toThrow(message);
  });
});
