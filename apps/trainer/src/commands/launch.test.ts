import { describe, expect, it } from "vitest";
import { parseLaunchArgs } from "./launch.ts";

describe("parseLaunchArgs", () => {
  it("--nproc W then train and its flags → W and the flags untouched, --debug included", () => {
    expect(parseLaunchArgs(["--nproc", "2", "train", "--data", "x.csv", "--nproc", "9", "--debug"])).toEqual({
      nproc: 2,
      args: ["train", "--data", "x.csv", "--nproc", "9", "--debug"],
    });
    expect(parseLaunchArgs(["--nproc=3", "train"]).nproc).toBe(3);
  });

  it("no --nproc, a bad count, or a command other than train → one-line usage errors", () => {
    expect(() => parseLaunchArgs(["train"])).toThrow("launch needs --nproc W before the command");
    expect(() => parseLaunchArgs(["--nproc", "0", "train"])).toThrow(
      '--nproc must be a positive integer, got "0"',
    );
    expect(() => parseLaunchArgs(["--nproc", "2", "evaluate"])).toThrow(
      'launch runs ranks of "train", got "evaluate"',
    );
  });
});
