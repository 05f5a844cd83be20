import { type Contender, csvParseAlone, rawRead, tfDataCsv } from "./contenders.ts";
import {
  stepwiseBatches,
  stepwiseSchema,
  stepwiseTensors,
  stepwiseWorkerBatches,
  stepwiseWorkerTensors,
} from "./stepwise.ts";

/** Every contender, in table order. */
export const CONTENDERS: readonly Contender[] = [
  rawRead,
  csvParseAlone,
  tfDataCsv,
  stepwiseSchema,
  stepwiseBatches,
  stepwiseWorkerBatches,
  stepwiseTensors,
  stepwiseWorkerTensors,
];
