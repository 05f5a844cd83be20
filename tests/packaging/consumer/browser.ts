// Type-checked by the packaging test as a bundled web page is (module ESNext, moduleResolution
// Bundler, the DOM library, no Node types): the package's browser entries and their types.
import { type Plan, plan } from "@stepwise/core";
import {
  type Batch,
  createPipeline,
  csvSource,
  DataError,
  type IndexedCsvSource,
  inferSchema,
  openIndexedCsv,
  type Pipeline,
  type PipelineState,
  type Schema,
  subsetBlocks,
  type WebData,
} from "@stepwise/data";
import { type BrowserBackendInit, batchToTensors, initBackend } from "@stepwise/data/tfjs";

const data: WebData = new File(["a,b,label\n1,2,x\n3,4,y\n"], "train.csv");
const schema: Schema = await inferSchema({ data, label: "label" });
const indexed: IndexedCsvSource = await openIndexedCsv({ data, schema });
const pipeline: Pipeline = await createPipeline({
  source: subsetBlocks(indexed, Float64Array.of(0, 1)),
  batchSize: 2,
  seed: 1,
});
const planned: Plan = plan({ numSamples: 2, batchSize: 2 });
const state: PipelineState = pipeline.getState();
const stream = csvSource({ data: "https://example.org/train.csv.gz", schema });
const backend: BrowserBackendInit = await initBackend();
for await (const batch of pipeline.epoch(0)) {
  const b: Batch = batch;
  batchToTensors(b, { task: "classification" }).xs.dispose();
}
console.log(
  planned,
  state,
  stream.numFeatures,
  backend.backend,
  new DataError({ code: "options", reason: "x" }),
);
