import { describe, expect, it } from "vitest";
import { collect } from "../pipeline/test-helpers.ts";
import { SourceError } from "./errors.ts";
import { generatorSource } from "./generator.ts";

describe("generatorSource", () => {
  it("each stream() → a fresh run of the generator, numSamples unknown", async () => {
    let runs = 0;
    const source = generatorSource(
      async function* () {
        runs++;
        yield { features: [1, 2], label: 0 };
        yield { features: [3, 4], label: 1 };
      },
      { numFeatures: 2 },
    );
    expect(source.numSamples).toBeNull();
    expect(source.get).toBeUndefined();
    const first = await collect(source.stream());
    const second = await collect(source.stream());
    expect(runs).toBe(2);
    expect(second.map((s) => [...s.features])).toEqual(first.map((s) => [...s.features]));
    expect(first.map((s) => s.source.index)).toEqual([0, 1]);
  });

  it("a generator reusing one array → samples are copies, not aliases", async () => {
    const shared = [0, 0];
    const source = generatorSource(
      function* () {
        for (let i = 0; i < 3; i++) {
          shared[0] = i;
          yield { features: shared, label: i };
        }
      },
      { numFeatures: 2 },
    );
    const samples = await collect(source.stream());
    expect(samples.map((s) => s.features[0])).toEqual([0, 1, 2]);
  });

  it.each([
    [
      "a row of the wrong width",
      [
        { features: [1, 2], label: 0 },
        { features: [1], label: 1 },
      ],
      null,
      "row 1 has 1 features, expected 2",
    ],
    ["a non-numeric label", [{ features: [1, 2], label: "a" }], null, "row 0 label must be a finite number"],
    ["no rows", [], null, "yielded no samples"],
    [
      "fewer rows than declared",
      [{ features: [1, 2], label: 0 }],
      2,
      "yielded 1 samples, declared numSamples 2",
    ],
    [
      "more rows than declared",
      [
        { features: [1, 2], label: 0 },
        { features: [1, 2], label: 0 },
      ],
      1,
      "more than the declared",
    ],
  ])("%s → SourceError naming it", async (_, rows, numSamples, message) => {
    const source = generatorSource(() => rows as never, { numFeatures: 2, numSamples });
    await expect(collect(source.stream())).rejects.toThrow(SourceError);
    await expect(collect(source.stream())).rejects.toThrow(message);
  });

  it("numFeatures 0 → SourceError before reading", () => {
    expect(() => generatorSource(() => [], { numFeatures: 0 })).toThrow(SourceError);
  });
});
