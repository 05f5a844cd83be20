import type { Pipeline, PipelineOptions } from "./api.ts";
import { PipelineError } from "./errors.ts";
import { requestedLoader } from "./loader.ts";
import { createMainPipeline } from "./main-pipeline.ts";

/**
 * `createPipeline` for browsers (the browser entry's): the same plan, batches, validation runs
 * and states as on Node, with batches made on the calling thread (`loader` `main`, or `auto`,
 * which picks it). Throws `PlanError` (from core) for bad plan arguments and `PipelineError` for
 * the rest, including `loader: "worker"`, which needs Node's worker threads.
 * @example
 * const p = await createPipeline({ source: await openIndexedCsv({ data: file, schema }), batchSize: 32, seed: 7 });
 * for await (const batch of p.epoch(0)) train(batch);
 */
export async function createPipeline(options: PipelineOptions): Promise<Pipeline> {
  if (requestedLoader(options) === "worker") {
    throw new PipelineError(
      'loader "worker" needs Node worker threads; in a browser the batches are made on the calling thread: use loader "main" or "auto"',
    );
  }
  return createMainPipeline(options);
}
