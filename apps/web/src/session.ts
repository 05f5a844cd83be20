// One training run of the page: the data split, the pipeline (exact plan, full shuffle through
// the in-memory row index), the model, and a loop that can stop after any step and go on later
// from the pipeline's position.
import { type Plan, permutation } from "@stepwise/core";
import {
  createPipeline,
  type IndexedCsvSource,
  openIndexedCsv,
  type Pipeline,
  type Schema,
  subsetBlocks,
} from "@stepwise/data";
import { batchToTensors, type Task } from "@stepwise/data/tfjs";
import * as tf from "@tensorflow/tfjs";
import type { Progress } from "./text.ts";

export interface SessionOptions {
  data: File | string;
  schema: Schema;
  batchSize: number;
  epochs: number;
  hidden: number;
  learningRate: number;
  seed: number;
  /** Share of the samples held out for validation, in (0, 1). */
  validationSplit: number;
}

// A pass number no training run reaches: the split's shuffle is independent of every pass's.
const SPLIT_PASS = 2 ** 40;

export interface StepReport extends Progress {
  /** Global step done (1-based). */
  globalStep: number;
}

/** The training and validation sides: a seeded random split of the usable samples, each side sorted. */
function split(
  numSamples: number,
  fraction: number,
  seed: number,
): { train: Float64Array; validation: Float64Array } {
  const numValidation = Math.max(1, Math.round(numSamples * fraction));
  const order = permutation({ numSamples, seed, pass: SPLIT_PASS });
  const isValidation = new Uint8Array(numSamples);
  for (let i = 0; i < numValidation; i++) isValidation[order.at(i)] = 1;
  const train: number[] = [];
  const validation: number[] = [];
  for (let s = 0; s < numSamples; s++) (isValidation[s] ? validation : train).push(s);
  return { train: Float64Array.from(train), validation: Float64Array.from(validation) };
}

export class Session {
  readonly task: Task;
  private stopping = false;
  running = false;

  private constructor(
    readonly options: SessionOptions,
    readonly source: IndexedCsvSource,
    readonly pipeline: Pipeline,
    readonly numTrain: number,
    readonly numValidation: number,
    readonly model: tf.Sequential,
  ) {
    this.task = options.schema.label?.kind === "regression" ? "regression" : "classification";
  }

  /** Indexes the data, splits it, plans the run and builds the model. Throws `DataError` for bad data. */
  static async open(options: SessionOptions): Promise<Session> {
    const source = await openIndexedCsv({ data: options.data, schema: options.schema, onBadRecord: "skip" });
    const sides = split(source.numSamples, options.validationSplit, options.seed);
    const pipeline = await createPipeline({
      source: subsetBlocks(source, sides.train),
      batchSize: options.batchSize,
      epochs: options.epochs,
      seed: options.seed,
      shuffle: "full",
      validation: { source: subsetBlocks(source, sides.validation) },
    });
    const label = options.schema.label;
    const classes =
      label === null
        ? 0
        : label.kind === "string-classes"
          ? label.vocabulary.length
          : label.kind === "integer-classes"
            ? label.numClasses
            : 0;
    const regression = label?.kind === "regression";
    const model = tf.sequential({
      layers: [
        tf.layers.dense({ inputShape: [source.numFeatures], units: options.hidden, activation: "relu" }),
        tf.layers.dense({ units: regression ? 1 : classes, activation: regression ? "linear" : "softmax" }),
      ],
    });
    model.compile({
      optimizer: tf.train.adam(options.learningRate),
      loss: regression ? "meanSquaredError" : "sparseCategoricalCrossentropy",
      metrics: regression ? [] : ["accuracy"],
    });
    return new Session(options, source, pipeline, sides.train.length, sides.validation.length, model);
  }

  get plan(): Plan {
    return this.pipeline.plan;
  }

  /** Asks the loop to stop after the step in progress; `run()` resolves then, and a later `run()` goes on from there. */
  stop(): void {
    this.stopping = true;
  }

  private metrics(result: tf.Scalar | tf.Scalar[] | number | number[]): {
    loss: number;
    accuracy: number | null;
  } {
    const values = (Array.isArray(result) ? result : [result]).map((v) =>
      typeof v === "number" ? v : (v.dataSync()[0] as number),
    );
    return {
      loss: values[0] as number,
      accuracy: this.task === "classification" ? (values[1] ?? null) : null,
    };
  }

  private async validate(epoch: number): Promise<{ loss: number; accuracy: number | null }> {
    let loss = 0;
    let accuracy = 0;
    let count = 0;
    for await (const batch of this.pipeline.validation(epoch)) {
      const { xs, ys } = batchToTensors(batch, { task: this.task });
      try {
        const m = this.metrics(
          (await this.model.evaluate(xs, ys, { batchSize: batch.batchSize })) as tf.Scalar[],
        );
        loss += m.loss * batch.batchSize;
        accuracy += (m.accuracy ?? 0) * batch.batchSize;
        count += batch.batchSize;
      } finally {
        tf.dispose([xs, ys]);
      }
    }
    return { loss: loss / count, accuracy: this.task === "classification" ? accuracy / count : null };
  }

  /** Trains from the pipeline's position to the end of the plan or until `stop()`; `onStep` after every step. */
  async run(onStep: (report: StepReport) => void): Promise<"done" | "stopped"> {
    this.stopping = false;
    this.running = true;
    try {
      const plan = this.plan;
      const first = this.pipeline.position.epoch ?? plan.initialEpoch;
      for (let epoch = first; epoch < plan.endEpoch; epoch++) {
        let metrics = { loss: 0, accuracy: null as number | null };
        for await (const batch of this.pipeline.epoch(epoch)) {
          const { xs, ys } = batchToTensors(batch, { task: this.task });
          try {
            metrics = this.metrics(await this.model.trainOnBatch(xs, ys));
          } finally {
            tf.dispose([xs, ys]);
          }
          const stepsPerEpoch = plan.stepsPerEpoch as number;
          const endOfEpoch = batch.stepInEpoch + 1 === stepsPerEpoch;
          const validation = endOfEpoch ? await this.validate(epoch) : null;
          onStep({
            epoch,
            epochs: plan.endEpoch,
            step: batch.stepInEpoch + 1,
            stepsPerEpoch,
            globalStep: batch.step + 1,
            ...metrics,
            validation,
          });
          if (this.stopping && !endOfEpoch) {
            // Resume right after this batch: the next run() call continues mid-epoch.
            await this.pipeline.setState(this.pipeline.stateAfter(batch));
            return "stopped";
          }
          if (this.stopping) {
            await this.pipeline.close();
            return epoch + 1 < plan.endEpoch ? "stopped" : "done";
          }
        }
      }
      return "done";
    } finally {
      this.running = false;
    }
  }
}
