import { mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { inferSchema } from "@stepwise/data";
import { type ChromiumPage, openChromiumPage } from "@stepwise/data/testing";
import { build } from "vite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SCHEMA_OPTIONS } from "./schema-options.ts";

const appDir = fileURLToPath(new URL("..", import.meta.url));
const IRIS = fileURLToPath(new URL("../../../examples/iris/iris.csv", import.meta.url));
/** Where the page's screenshot is kept after the run (git-ignored). */
export const SCREENSHOT = join(appDir, "test-results", "iris-trained.png");

let chromium: ChromiumPage;

beforeAll(async () => {
  const outDir = mkdtempSync(join(tmpdir(), "stepwise-web-"));
  await build({ root: appDir, logLevel: "silent", build: { outDir, emptyOutDir: true } });
  chromium = await openChromiumPage({ root: outDir });
}, 180_000);
afterAll(async () => {
  await chromium?.close();
});

const data = (key: string) => chromium.page.evaluate((k) => document.body.dataset[k] ?? "", key);

describe("the training page in Chromium", () => {
  it("Iris loaded, trained, stopped, resumed → the plan shown first, every planned step once, validation accuracy ≥ 0.9, schema and model downloads", async () => {
    const { page } = chromium;
    await page.click("#iris");
    await page.waitForFunction(() => document.body.dataset.status?.startsWith("ready"), null, {
      timeout: 60_000,
    });
    const plan = Object.fromEntries(
      await page.$$eval("#plan tr", (rows) =>
        rows.map((r) => [r.children[0]?.textContent, r.children[1]?.textContent]),
      ),
    );
    // 150 rows, 30 held out: 120 in batches of 16 → 8 steps (the last of 8 samples); 30 → 2 validation steps.
    expect(plan).toMatchObject({
      "training samples (numSamples)": "120",
      stepsPerEpoch: "8",
      "last batch of a pass": "8 samples",
      "total steps": "480",
      "validation steps": "2",
    });
    expect(await page.textContent("#schema")).toContain('label "species"');

    await page.click("#train");
    await page.waitForFunction(() => Number(document.body.dataset.steps ?? 0) >= 20, null, {
      timeout: 120_000,
    });
    await page.click("#stop");
    await page.waitForFunction(() => document.body.dataset.status?.startsWith("stopped"), null, {
      timeout: 60_000,
    });
    const stoppedAt = Number(await data("steps"));
    expect(stoppedAt).toBeLessThan(480);
    await page.click("#train");
    await page.waitForFunction(() => document.body.dataset.status === "done", null, { timeout: 300_000 });
    expect(Number(await data("steps"))).toBe(480); // no step lost or repeated across the stop
    expect(Number(await data("lastStep"))).toBe(480);
    expect(Number(await data("valAccuracy"))).toBeGreaterThanOrEqual(0.9);
    expect(await page.textContent("#progress")).toMatch(
      /Epoch 60\/60 8\/8 \[=+\] - loss: [\d.]+ - accuracy: [\d.]+ - val_loss/,
    );

    const [schemaDownload] = await Promise.all([page.waitForEvent("download"), page.click("#saveSchema")]);
    const saved = JSON.parse(await streamText(await schemaDownload.createReadStream()));
    expect(saved).toEqual(await inferSchema({ paths: IRIS, label: "species", ...SCHEMA_OPTIONS }));
    const [modelDownload] = await Promise.all([page.waitForEvent("download"), page.click("#saveModel")]);
    expect(modelDownload.suggestedFilename()).toBe("stepwise-model.json");
    expect(JSON.parse(await streamText(await modelDownload.createReadStream())).modelTopology).toBeDefined();

    mkdirSync(join(appDir, "test-results"), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(chromium.errors).toEqual([]);
  }, 600_000);
});

async function streamText(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks).toString("utf8");
}
