import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir } from "../test-helpers.ts";
import type { TrainConfig } from "./config.ts";
import { openTrainingData } from "./data.ts";
import { createFeed } from "./feed.ts";

const dir = tempDir("feed-");

function config(data: string, overrides: Partial<TrainConfig>): TrainConfig {
  return {
    data,
    label: "y",
    header: true,
    task: "auto",
    model: "mlp:4",
    batchSize: 4,
    epochs: 2,
    initialEpoch: 0,
    dropRemainder: false,
    onExhausted: "repeat",
    splitMode: "random",
    seed: 7,
    optimizer: "adam",
    numShards: 1,
    shardIndex: 0,
    shardPolicy: "pad",
    onBadRecord: "error",
    backend: "cpu",
    loader: "main",
    ...overrides,
  };
}

describe("createFeed", () => {
  it.each([
    ["full" as const, "worker" as const],
    ["buffer" as const, "worker" as const],
    ["full" as const, "auto" as const],
  ])(
    "--shuffle %s with a validation split, --loader %s → one pipeline whose batches, states and validation equal the main loader's",
    async (shuffle, loader) => {
      const path = join(dir, `${shuffle}-${loader}.csv`);
      const rows = Array.from({ length: 30 }, (_, i) => `${(i * 7) % 11},${i % 2 === 0 ? "a" : "b"}`);
      await writeFile(path, `x,y\n${rows.join("\n")}\n`);
      const run = async (which: TrainConfig["loader"]) => {
        const cfg = config(path, { shuffle, loader: which, validationSplit: 0.2, stepsPerEpoch: 3 });
        const feed = await createFeed(cfg, await openTrainingData(cfg, null));
        const out: unknown[] = [];
        try {
          for (let epoch = 0; epoch < feed.plan.endEpoch; epoch++) {
            for await (const batch of feed.epoch(epoch))
              out.push([batch.step, [...batch.xs], feed.getState()]);
            for await (const batch of feed.validation(epoch)) out.push(["validation", [...batch.ys]]);
          }
          return { loader: feed.loader, plan: feed.plan, out };
        } finally {
          await feed.close();
        }
      };
      const [main, other] = [await run("main"), await run(loader)];
      // auto stays on the training thread for 24 training samples (the worker pays from 50,000).
      expect(other.loader).toBe(loader === "auto" ? "main" : "worker");
      expect(other.plan).toEqual(main.plan);
      expect(other.out).toEqual(main.out);
      expect(main.out.length).toBe(6 + 2 * 2);
    },
  );
});
