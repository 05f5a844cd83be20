import { describe, expect, it } from "vitest";
import { AUTO_WORKER_MIN_SAMPLES, resolveLoader } from "./feed.ts";

describe("resolveLoader", () => {
  it.each([
    ["main", 10_000_000, "main"],
    ["worker", 10, "worker"],
    ["auto", 150, "main"],
    ["auto", AUTO_WORKER_MIN_SAMPLES - 1, "main"],
    ["auto", AUTO_WORKER_MIN_SAMPLES, "worker"],
    ["auto", 1_000_000, "worker"],
  ] as const)("--loader %s with %i samples per pass → %s", (loader, numSamples, expected) => {
    expect(resolveLoader(loader, numSamples)).toBe(expected);
  });
});
