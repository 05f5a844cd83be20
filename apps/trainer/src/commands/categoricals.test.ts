import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { runInProcess } from "../cli-capture.ts";
import { tempDir } from "../test-helpers.ts";

const dir = tempDir("categoricals-");
const AIRPORTS = 300;
const airport = (i: number) => `AP${String(i).padStart(3, "0")}`;
/** 30% of the airports are delay-prone (a fixed, seed-free choice). */
const delayProne = (i: number) => (i * 7919) % 100 < 30;

interface Flight {
  line: string;
  origin: number;
  destination: number;
  delayed: number;
}

/**
 * Flights-like rows `date,origin,destination,distance,delayed`: ISO timestamps, 300 airports (plus
 * `unseen` more that training never sees). P(delayed) = 0.05 + 0.6 if the origin is delay-prone
 * + 0.3 from 17:00; destination and distance are noise. Seeded LCG: the same rows every run.
 */
function flights(count: number, seed: number, unseen = 0): Flight[] {
  let state = seed >>> 0;
  const next = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
  const two = (n: number) => String(n).padStart(2, "0");
  return Array.from({ length: count }, () => {
    const origin = Math.floor(next() * (AIRPORTS + unseen));
    const destination = Math.floor(next() * (AIRPORTS + unseen));
    const hour = Math.floor(next() * 24);
    const minute = Math.floor(next() * 60);
    const day = 1 + Math.floor(next() * 28);
    const month = 1 + Math.floor(next() * 12);
    const distance = Math.round(100 + next() * 2500);
    const p = 0.05 + (delayProne(origin) ? 0.6 : 0) + (hour >= 17 ? 0.3 : 0);
    const delayed = next() < p ? 1 : 0;
    const when = `2024-${two(month)}-${two(day)}T${two(hour)}:${two(minute)}:00Z`;
    return {
      line: `${when},${airport(origin)},${airport(destination)},${distance},${delayed}`,
      origin,
      destination,
      delayed,
    };
  });
}

async function writeFlights(name: string, rows: readonly Flight[]): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, `date,origin,destination,distance,delayed\n${rows.map((r) => r.line).join("\n")}\n`);
  return path;
}

const majority = (rows: readonly Flight[]) => {
  const positive = rows.filter((r) => r.delayed === 1).length / rows.length;
  return Math.max(positive, 1 - positive);
};

/** Area under the ROC curve of `scores` for 0/1 `labels` (rank statistic; no ties in practice). */
function auc(scores: readonly number[], labels: readonly number[]): number {
  const order = [...scores.keys()].sort((a, b) => (scores[a] as number) - (scores[b] as number));
  let rankSum = 0;
  let positives = 0;
  order.forEach((i, rank) => {
    if (labels[i] === 1) {
      rankSum += rank + 1;
      positives++;
    }
  });
  const negatives = labels.length - positives;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

const test = flights(4000, 2, 20);
const unseenOrigins = test.filter((r) => r.origin >= AIRPORTS).length;
const unseenDestinations = test.filter((r) => r.destination >= AIRPORTS).length;
let trainPath: string;
let testPath: string;
let run: string;
let trainedOutput: string;

beforeAll(async () => {
  trainPath = await writeFlights("train.csv", flights(20_000, 1));
  testPath = await writeFlights("test.csv", test);
  run = join(dir, "run");
  const trained = await runInProcess([
    "train",
    "--data",
    trainPath,
    "--label",
    "delayed",
    "--validation-split",
    "0.2",
    "--epochs",
    "2",
    "--batch-size",
    "128",
    "--model",
    "mlp:32",
    "--learning-rate",
    "0.01",
    "--seed",
    "3",
    "--out",
    run,
  ]);
  expect(trained.stderr).toBe("");
  expect(trained.code).toBe(0);
  trainedOutput = trained.stdout;
}, 300_000);

describe("trainer on flights-like data: 300 airports and timestamps", () => {
  it("train → airports embedded, date as cyclical features, validation accuracy clearly above the majority class", async () => {
    const schema = JSON.parse(await readFile(join(run, "schema.json"), "utf8"));
    const byName = Object.fromEntries(schema.features.map((f: { name: string }) => [f.name, f]));
    expect(byName.origin).toMatchObject({ encoding: "embedding", distinct: AIRPORTS });
    expect(byName.origin.vocabulary).toHaveLength(AIRPORTS);
    expect(byName.date).toMatchObject({
      kind: "date",
      parts: expect.arrayContaining(["hour_sin", "hour_cos"]),
    });
    expect(schema.numFeatures).toBe(7 + 1 + 1 + 1);
    expect(trainedOutput).toMatch(/origin\s+categorical\s+embedding 301×\d+ \(300 values \+ OOV\)/);
    expect(trainedOutput).toMatch(/date\s+date\s+7 inputs: year, month_sin, month_cos, dayOfWeek_sin/);
    expect(trainedOutput).toContain(
      "training step: tfjs trainOnBatch (layer embedding_0_origin is an Embedding: the fused step runs Dense stacks only)",
    );
    const history = (await readFile(join(run, "history.csv"), "utf8")).trim().split("\n");
    const header = (history[0] as string).split(",");
    const best = Math.max(
      ...history.slice(1).map((line) => Number(line.split(",")[header.indexOf("val_accuracy")])),
    );
    // Majority ≈ 0.68, the best possible ≈ 0.82; ignoring airports or hours caps it near 0.70–0.76.
    expect(best).toBeGreaterThan(majority(flights(20_000, 1)) + 0.08);
  });

  it("evaluate on data with unseen airports → OOV rows counted exactly and printed; accuracy above the majority class", async () => {
    const result = await runInProcess(["evaluate", "--run", run, "--data", testPath, "--json"]);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout.trim());
    expect(report.samples).toBe(test.length);
    expect(report.outOfVocabulary).toEqual({ origin: unseenOrigins, destination: unseenDestinations });
    expect(unseenOrigins).toBeGreaterThan(100);
    expect(report.accuracy).toBeGreaterThan(majority(test) + 0.06);
    expect(result.stderr).toContain(
      `Categories outside the training vocabulary (encoded as the column's out-of-vocabulary input), rows per column: "destination" ${unseenDestinations}, "origin" ${unseenOrigins}`,
    );
  });

  it("predict on data with unseen airports → every row scored, OOV counts printed, AUC well above chance", async () => {
    const out = join(dir, "predictions.csv");
    const result = await runInProcess(["predict", "--run", run, "--data", testPath, "--out", out]);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(`"origin" ${unseenOrigins}`);
    const lines = (await readFile(out, "utf8")).trim().split("\n");
    expect(lines[0]).toBe("row,prediction,p_0,p_1");
    const scores = lines.slice(1).map((line) => Number(line.split(",")[3]));
    expect(scores).toHaveLength(test.length);
    expect(
      auc(
        scores,
        test.map((r) => r.delayed),
      ),
    ).toBeGreaterThan(0.75);
  });

  it("--hash-buckets 1024 → airports hashed (no vocabulary) and the model still learns them", async () => {
    const hashed = join(dir, "hashed");
    const result = await runInProcess([
      "train",
      "--data",
      trainPath,
      "--label",
      "delayed",
      "--features",
      "date,origin",
      "--hash-buckets",
      "1024",
      "--validation-split",
      "0.2",
      "--epochs",
      "2",
      "--batch-size",
      "128",
      "--model",
      "mlp:16",
      "--learning-rate",
      "0.01",
      "--seed",
      "4",
      "--out",
      hashed,
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/origin\s+categorical\s+hashed: 300 values into 1024 buckets/);
    const history = (await readFile(join(hashed, "history.csv"), "utf8")).trim().split("\n");
    const header = (history[0] as string).split(",");
    const last = Number((history.at(-1) as string).split(",")[header.indexOf("val_accuracy")]);
    expect(last).toBeGreaterThan(majority(flights(20_000, 1)) + 0.06);
  });
});
