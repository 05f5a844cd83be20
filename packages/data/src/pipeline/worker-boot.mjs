// Worker bootstrap for the workspace's TypeScript source (the built package starts its compiled
// entries directly; see worker-url.ts). Node 20 cannot start a worker from a .ts file, and
// `--import` flags do not reach worker threads, so this thread gets two module hooks: workspace
// packages resolve to their source (the `@stepwise/source` export condition), and tsx compiles
// `.ts` files. Then it loads the entry named in workerData (default: the pipeline worker).
import { register } from "node:module";
import { workerData } from "node:worker_threads";

const SOURCE_CONDITION = "@stepwise/source";
const hooks = `export function resolve(specifier, context, next) {
  return next(specifier, { ...context, conditions: [...context.conditions, ${JSON.stringify(SOURCE_CONDITION)}] });
}`;
register(`data:text/javascript,${encodeURIComponent(hooks)}`);
try {
  const { register: registerTsx } = await import("tsx/esm/api");
  registerTsx();
} catch (error) {
  if (error?.code !== "ERR_MODULE_NOT_FOUND") throw error;
  // No tsx: rely on the runtime's own TypeScript support (e.g. type stripping in newer Node).
}
await import(workerData?.entry ?? "./worker-entry.ts");
