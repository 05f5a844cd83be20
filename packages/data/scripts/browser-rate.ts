// Rows per second of CSV → batches in headless Chromium against Node, on the same file (one run
// each, the page's File read through the browser csvSource; Node's path through csvSource):
// `pnpm --filter @stepwise/data rate:browser [rows]`. Prints both rates and their ratio.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { inferSchema } from "../src/csv/infer.ts";
import { csvSource } from "../src/csv/source.ts";
import { createPipeline } from "../src/pipeline/pipeline.ts";
import { openChromiumPage } from "../src/web/chromium.ts";
import type { StepwiseTest } from "../src/web/chromium-entry.ts";

const numRows = Number(process.argv[2] ?? 1_000_000);
const batchSize = 256;
const chromium = await openChromiumPage({
  entry: fileURLToPath(new URL("../src/web/chromium-entry.ts", import.meta.url)),
});
try {
  const path = join(chromium.root, "rate.csv");
  const lines = ["f0,f1,f2,f3,f4,f5,f6,f7,label"];
  for (let i = 0; i < numRows; i++) {
    const values = Array.from({ length: 8 }, (_, f) =>
      (((i * 7919 + f * 104729) % 100000) / 1000 - 50).toFixed(3),
    );
    lines.push(`${values.join(",")},${i % 3}`);
  }
  await writeFile(path, `${lines.join("\n")}\n`);
  const schema = await inferSchema({ paths: path, label: "label" });
  const started = performance.now();
  const pipeline = await createPipeline({
    source: csvSource({ paths: path, schema }),
    batchSize,
    seed: 1,
    shuffle: "none",
    loader: "main", // batches on this thread, as in the page
  });
  let rows = 0;
  for await (const batch of pipeline.epoch(0)) rows += batch.batchSize;
  const nodeRate = rows / ((performance.now() - started) / 1000);
  const browser = await chromium.page.evaluate(
    ([url, s, b]) =>
      (globalThis as unknown as { stepwiseTest: StepwiseTest }).stepwiseTest.rowsPerSecond(url, s, b),
    [`${chromium.server.origin}/rate.csv`, schema, batchSize] as const,
  );
  const browserRate = browser.rows / browser.seconds;
  console.log(`rows: node ${rows}, chromium ${browser.rows}`);
  console.log(`node     ${Math.round(nodeRate).toLocaleString("en")} rows/s`);
  console.log(`chromium ${Math.round(browserRate).toLocaleString("en")} rows/s`);
  console.log(`ratio chromium / node: ${(browserRate / nodeRate).toFixed(2)}`);
} finally {
  await chromium.close();
}
