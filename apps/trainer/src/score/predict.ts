import { createWriteStream } from "node:fs";
import { mkdir, rename, rm } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { finished } from "node:stream/promises";
import * as tf from "@tensorflow/tfjs";
import { stringify } from "csv-stringify";
import { idColumn, type ScoringData } from "../train/data.ts";
import type { TrainIo } from "../train/run.ts";
import { loadRun, openScoringData, scoringBatches } from "./load.ts";

export interface PredictFlags {
  run: string;
  data: string;
  out: string;
  id?: string;
  batchSize?: number;
  backend: "wasm" | "cpu";
  onBadRecord?: "error" | "skip";
}

/** Column names of the predictions file. */
export function predictionColumns(
  data: Pick<ScoringData, "task" | "classNames">,
  id: string | undefined,
): string[] {
  const probabilities = data.task === "regression" ? [] : (data.classNames ?? []).map((name) => `p_${name}`);
  return [...(id ? [id] : []), "row", "prediction", ...probabilities];
}

/** One output row's prediction cells from the model's output row (softmax, sigmoid or value). */
export function predictionCells(
  data: Pick<ScoringData, "task" | "classNames">,
  output: ArrayLike<number>,
): (string | number)[] {
  const classNames = data.classNames ?? [];
  if (data.task === "regression") return [output[0] as number];
  if (data.task === "binary") {
    const p = output[0] as number;
    return [classNames[p >= 0.5 ? 1 : 0] ?? (p >= 0.5 ? 1 : 0), 1 - p, p];
  }
  let best = 0;
  for (let k = 1; k < output.length; k++) if ((output[k] as number) > (output[best] as number)) best = k;
  return [classNames[best] ?? best, ...Array.from(output)];
}

/**
 * Writes one prediction per input row, in file order, to `--out` (through a temporary file, so
 * a failed run leaves no half-written predictions). Returns the number of rows written.
 */
export async function predictRun(flags: PredictFlags, io: TrainIo): Promise<number> {
  const run = await loadRun(flags.run, flags.backend, io);
  const data = await openScoringData(run.config, run.schema, resolve(flags.data), {
    withLabel: false,
    ...(flags.onBadRecord ? { onBadRecord: flags.onBadRecord } : {}),
  });
  const ids = flags.id ? idColumn(run.config, await data.source.files(), flags.id) : null;
  const batches = await scoringBatches(data, flags.batchSize ?? run.config.batchSize);
  const out = resolve(flags.out);
  await mkdir(dirname(out), { recursive: true });
  const temp = `${out}.tmp-${process.pid}`;
  const file = createWriteStream(temp);
  const csv = stringify({ header: true, columns: predictionColumns(data, flags.id) });
  csv.pipe(file);
  let rows = 0;
  try {
    for await (const batch of batches) {
      const xs = tf.tensor2d(batch.xs.subarray(0, batch.batchSize * batch.numFeatures), [
        batch.batchSize,
        batch.numFeatures,
      ]);
      const prediction = run.model.predict(xs) as tf.Tensor;
      const values = prediction.dataSync();
      const width = prediction.shape[1] ?? 1;
      tf.dispose([xs, prediction]);
      for (let i = 0; i < batch.batchSize; i++) {
        const ref = batch.rows[i];
        const row = ref?.index ?? rows;
        const id = ids ? [await ids.at(row)] : [];
        const cells = [...id, row, ...predictionCells(data, values.subarray(i * width, (i + 1) * width))];
        if (!csv.write(cells)) await new Promise((done) => csv.once("drain", done));
        rows++;
      }
    }
    csv.end();
    await finished(file);
    await rename(temp, out);
  } catch (error) {
    csv.destroy();
    file.destroy();
    await rm(temp, { force: true });
    throw error;
  } finally {
    await ids?.close();
  }
  io.stdout.write(`Wrote ${rows} predictions to ${flags.out}\n`);
  const summary = data.badRecords();
  if (summary) io.stderr.write(`${summary}\n`);
  return rows;
}
