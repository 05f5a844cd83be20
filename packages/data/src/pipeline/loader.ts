import type { Loader, PipelineOptions } from "./api.ts";
import { PipelineError } from "./errors.ts";

const LOADERS: readonly Loader[] = ["main", "worker", "auto"];

/** The loader `options` asks for, checked: throws `PipelineError` for another value. */
export function requestedLoader(options: PipelineOptions): Loader {
  const loader = options.loader ?? "auto";
  if (!LOADERS.includes(loader)) {
    throw new PipelineError(`loader must be one of ${LOADERS.join(", ")}; got ${JSON.stringify(loader)}`);
  }
  return loader;
}
