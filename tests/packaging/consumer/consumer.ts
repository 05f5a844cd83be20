// Type-checked by the packaging test (`tsc --noEmit --strict`, module NodeNext) against the
// installed tarballs: every public type of the three entries resolves from their declarations.
import { type EpochPlan, type Plan, PlanError, plan } from "@stepwise/core";
import {
  type Batch,
  type CsvSource,
  createPipeline,
  csvSource,
  DataError,
  describeSchema,
  type IndexedCsvSource,
  inferSchema,
  type Loader,
  openIndexedCsv,
  type Pipeline,
  type PipelineState,
  type Schema,
  verifyManifest,
} from "@stepwise/data";
import { asTfDataset, batchToTensors, type TensorBatch } from "@stepwise/data/tfjs";

const planned: Plan = plan({ numSamples: 150, batchSize: 16, stepsPerEpoch: 12, epochs: 5 });
const first: EpochPlan | undefined = planned.epochs[0];
const schema: Schema = await inferSchema({ paths: "train.csv", label: "species" });
const stream: CsvSource = csvSource({ paths: "train.csv", schema });
const indexed: IndexedCsvSource = await openIndexedCsv({ paths: "train.csv", schema, memoryBudget: "64MB" });
const pipeline: Pipeline = await createPipeline({ source: indexed, batchSize: 16, shuffle: "full", seed: 1 });
const state: PipelineState = pipeline.getState();
const loader: Loader = "worker";
const workers: Pipeline = await createPipeline({ source: stream, batchSize: 16, seed: 1, loader });
const later: PipelineState = workers.getState();
for await (const batch of pipeline.epoch(0)) {
  const b: Batch = batch;
  const row: number = b.rows[0]?.index ?? -1;
  const tensors: TensorBatch = batchToTensors(b, { task: "classification" });
  tensors.xs.dispose();
  console.log(row, describeSchema(schema), stream.numFeatures, first?.steps, state.step, later.step);
}
const dataset = asTfDataset(() => pipeline.batches(), { task: "classification" });
const report = await verifyManifest("run.jsonl");
const problems: unknown[] = [new DataError({ code: "options", reason: "example" }), new PlanError("example")];
console.log(dataset.size, report, problems);
