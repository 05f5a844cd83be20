import { resolve } from "node:path";
import type { RejectedRow } from "@stepwise/data/internals";
import * as tf from "@tensorflow/tfjs";
import { stringify } from "csv-stringify/sync";
import { checkOutputs, dataInputs, runFolderInputs } from "../outputs.ts";
import { idColumn, outOfVocabularyText, type ScoringData } from "../train/data.ts";
import type { TrainIo } from "../train/run.ts";
import { loadRun, openScoringData, scoringBatches } from "./load.ts";
import { openOutput } from "./out-file.ts";

export interface PredictFlags {
  run: string;
  data: string;
  out: string;
  id?: string;
  batchSize?: number;
  backend: "wasm" | "cpu";
  onBadRecord?: "error" | "skip";
  overwrite?: boolean;
}

/**
 * Column names of the predictions file. Under a `skip` policy an `error` column follows: empty on
 * scored rows, and on each row that could not be scored the reason (its prediction cells empty),
 * so the file has one line per data row either way.
 */
export function predictionColumns(
  data: Pick<ScoringData, "task" | "classNames" | "onBadRecord">,
  id: string | undefined,
): string[] {
  const probabilities = data.task === "regression" ? [] : (data.classNames ?? []).map((name) => `p_${name}`);
  const error = data.onBadRecord === "skip" ? ["error"] : [];
  return [...(id ? [id] : []), "row", "prediction", ...probabilities, ...error];
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
 * Writes one prediction per input row, in file order, to `--out`: a regular file through a
 * temporary file renamed into place (a failed run leaves no half-written predictions), `-` to
 * standard output, a device or pipe in place. Refuses (`UsageError`) an `--out` that is one of its
 * inputs, or an existing file without `--overwrite`, before anything is read. Returns the number
 * of rows written.
 */
export async function predictRun(flags: PredictFlags, io: TrainIo): Promise<number> {
  await checkOutputs(
    [{ flag: "--out", path: flags.out, existing: "refuse", allowStdout: true }],
    [await runFolderInputs(flags.run), await dataInputs("the data to predict (--data)", flags.data)],
    { overwrite: flags.overwrite === true },
  );
  const run = await loadRun(flags.run, flags.backend, io);
  // Skipped rows arrive here in file order, before any later row reaches a batch.
  const rejected: RejectedRow[] = [];
  const data = await openScoringData(run.config, run.schema, resolve(flags.data), {
    withLabel: false,
    ...(flags.onBadRecord ? { onBadRecord: flags.onBadRecord } : {}),
    onReject: (row) => rejected.push(row),
  });
  const columns = predictionColumns(data, flags.id);
  const withErrors = data.onBadRecord === "skip";
  const ids = flags.id ? idColumn(run.config, await data.source.files(), flags.id) : null;
  const batches = await scoringBatches(data, flags.batchSize ?? run.config.batchSize);
  const out = await openOutput(flags.out, io.stdout);
  let rows = 0;
  let unscored = 0;
  const write = async (row: number, cells: (string | number)[]) => {
    const id = ids ? [await ids.at(row)] : [];
    await out.write(stringify([[...id, row, ...cells]]));
  };
  // Rows before `row` that were skipped: their line carries the reason instead of a prediction.
  const writeRejected = async (row: number) => {
    const blanks = columns.length - (flags.id ? 1 : 0) - 2;
    while (rejected.length > 0 && (rejected[0] as RejectedRow).row.index < row) {
      const { row: ref, reason } = rejected.shift() as RejectedRow;
      await write(ref.index, [
        ...new Array<string>(blanks).fill(""),
        `${ref.file ?? ""}:${ref.line}: ${reason}`,
      ]);
      unscored++;
    }
  };
  try {
    await out.write(stringify([columns]));
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
        const row = batch.rows[i]?.index ?? rows;
        await writeRejected(row);
        const cells = predictionCells(data, values.subarray(i * width, (i + 1) * width));
        await write(row, withErrors ? [...cells, ""] : cells);
        rows++;
      }
    }
    await writeRejected(Number.POSITIVE_INFINITY);
    await out.commit();
  } catch (error) {
    await out.abort();
    throw error;
  } finally {
    await ids?.close();
  }
  const skipped = unscored > 0 ? ` and ${unscored} unscored rows with their reason in the error column` : "";
  // With the predictions on standard output, messages go to stderr so the CSV stays clean.
  const messages = out.toStdout ? io.stderr : io.stdout;
  const where = flags.out === "-" ? "standard output" : flags.out;
  messages.write(`Wrote ${rows} predictions${skipped} to ${where}\n`);
  const summary = data.badRecords();
  if (summary) io.stderr.write(`${summary}\n`);
  const unseen = outOfVocabularyText(data.outOfVocabulary());
  if (unseen) io.stderr.write(`${unseen}\n`);
  return rows;
}
