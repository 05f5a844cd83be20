/**
 * @stepwise/trainer/internals — the trainer's run preparation, loop, model builders and ring
 * set-up, for the benchmarks that measure them. Not a stable API: names here change with the trainer.
 */

export { freePort } from "./distributed/launch.ts";
export { rendezvous } from "./distributed/rendezvous.ts";
export {
  buildMlp,
  compileModel,
  headFor,
  makeOptimizer,
  parseModelSpec,
} from "./model/build.ts";
export type { StepStats } from "./run/progress.ts";
export type { TrainConfig } from "./train/config.ts";
export { trainLoop } from "./train/loop.ts";
export { prepareRun } from "./train/run.ts";
