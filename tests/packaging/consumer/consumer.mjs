// A project using the installed @stepwise/data tarball with plain Node: a CSV file read through
// its row index (a full shuffle of every pass), batches made on a worker thread, epochs of a
// fixed number of steps, and a resume from the saved state that continues exactly.
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { createPipeline, inferSchema, openIndexedCsv } from "@stepwise/data";

const NUM_ROWS = 203;
const lines = ["x,y,city,label"];
for (let i = 0; i < NUM_ROWS; i++)
  lines.push(`${i},${(i * 7) % 13},${i % 5 === 0 ? "Oslo" : "Lima"},${i % 3}`);
writeFileSync("rows.csv", `${lines.join("\n")}\n`);

const schema = await inferSchema({ paths: "rows.csv", label: "label" });
const options = { batchSize: 16, seed: 11, stepsPerEpoch: 9, epochs: 6, shuffle: "full", loader: "worker" };
/** A pipeline whose batches are made on a worker thread, which reopens the file through its row index. */
async function open(extra = {}) {
  const source = await openIndexedCsv({ paths: "rows.csv", schema });
  return createPipeline({ ...options, source, ...extra });
}

/** The data rows (0-based) of every batch of `epochs`, in order. */
async function rowsOf(pipeline, epochs) {
  const out = [];
  for (const epoch of epochs) {
    for await (const batch of pipeline.epoch(epoch))
      out.push({ step: batch.step, pass: batch.pass, rows: batch.rows.map((r) => r.index) });
  }
  return out;
}

const straight = await open();
assert.equal(straight.loader, "worker");
assert.equal(straight.plan.stepsPerEpoch, 9);
assert.equal(straight.numSamples, NUM_ROWS);
const all = await rowsOf(straight, [0, 1, 2, 3, 4, 5]);
await straight.close();
assert.equal(all.length, 6 * 9, "every epoch has exactly stepsPerEpoch steps");

// Each complete pass reads every row exactly once, in a shuffled order.
const passes = new Map();
for (const batch of all) passes.set(batch.pass, [...(passes.get(batch.pass) ?? []), ...batch.rows]);
for (const [pass, rows] of passes) {
  if (pass === all.at(-1).pass) continue; // the last pass is cut by the end of the run
  assert.deepEqual(
    [...rows].sort((a, b) => a - b),
    [...Array(NUM_ROWS).keys()],
    `pass ${pass} covers every row once`,
  );
  assert.notDeepEqual(rows, [...Array(NUM_ROWS).keys()], `pass ${pass} is shuffled`);
}
assert.notDeepEqual(passes.get(0), passes.get(1), "each pass is reshuffled");

// Stop after epoch 2, keep the state (plain JSON), resume in a new pipeline.
const first = await open();
await rowsOf(first, [0, 1, 2]);
const state = JSON.parse(JSON.stringify(first.getState()));
await first.close();
const resumed = await open({ state });
const rest = await rowsOf(resumed, [3, 4, 5]);
await resumed.close();
assert.deepEqual(rest, all.slice(3 * 9), "the resumed run reads exactly the rows of the uninterrupted one");

console.log(
  `ok: ${all.length} steps over ${passes.size} passes of ${NUM_ROWS} rows; resumed at step ${state.step}`,
);
