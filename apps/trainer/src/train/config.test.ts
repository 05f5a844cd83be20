import { describe, expect, it } from "vitest";
import { DEFAULT_PATIENCE, GUARDED_EPOCHS, resolveTrainConfig } from "./config.ts";

const base = { data: "d.csv", label: "y", seed: 1, epochs: 10, earlyStopping: true, restoreBest: true };
const none = () => false;

describe("early-stopping defaults of a new run", () => {
  it("validation data, no patience, no epoch count → patience 10, up to 100 epochs, restore-best", () => {
    const { config } = resolveTrainConfig({ ...base, validationSplit: 0.2 }, none, { epochsGiven: false });
    expect(config).toMatchObject({
      earlyStoppingPatience: DEFAULT_PATIENCE,
      epochs: GUARDED_EPOCHS,
      restoreBest: true,
    });
  });

  it("validation data and an epoch count → that count, still guarded by patience 10", () => {
    const { config } = resolveTrainConfig({ ...base, validationData: "v.csv", epochs: 10 }, none, {
      epochsGiven: true,
    });
    expect(config).toMatchObject({ earlyStoppingPatience: 10, epochs: 10, restoreBest: true });
  });

  it("--no-early-stopping → no patience, no restore-best, the epoch count as given", () => {
    const { config } = resolveTrainConfig({ ...base, validationSplit: 0.2, earlyStopping: false }, none, {
      epochsGiven: false,
    });
    expect(config.earlyStoppingPatience).toBeUndefined();
    expect(config).toMatchObject({ epochs: 10, restoreBest: false, earlyStopping: false });
  });

  it("--no-restore-best → early stopping keeps the last epoch's weights", () => {
    const { config } = resolveTrainConfig({ ...base, validationSplit: 0.2, restoreBest: false }, none, {
      epochsGiven: false,
    });
    expect(config).toMatchObject({ earlyStoppingPatience: 10, restoreBest: false });
  });

  it("no validation data → no early stopping unless a patience is given (then on training loss)", () => {
    expect(resolveTrainConfig(base, none, { epochsGiven: false }).config).toMatchObject({
      epochs: 10,
      restoreBest: false,
    });
    expect(
      resolveTrainConfig(base, none, { epochsGiven: false }).config.earlyStoppingPatience,
    ).toBeUndefined();
    expect(
      resolveTrainConfig({ ...base, earlyStoppingPatience: 3 }, none, { epochsGiven: false }).config,
    ).toMatchObject({ earlyStoppingPatience: 3, epochs: 10, restoreBest: true });
  });

  it("a resume (no new-run defaults) of a config saved before early stopping defaults → as saved", () => {
    const saved = { data: "d.csv", label: "y", seed: 1, epochs: 10, validationSplit: 0.2 };
    const { config } = resolveTrainConfig(saved, none);
    expect(config.earlyStoppingPatience).toBeUndefined();
    expect(config.restoreBest).toBeUndefined();
    expect(config.epochs).toBe(10);
  });

  it("--early-stopping-patience with --no-early-stopping → UsageError naming both", () => {
    expect(() =>
      resolveTrainConfig({ ...base, earlyStopping: false, earlyStoppingPatience: 2 }, none, {
        epochsGiven: true,
      }),
    ).toThrow("give at most one of --early-stopping-patience P or --no-early-stopping");
  });
});
