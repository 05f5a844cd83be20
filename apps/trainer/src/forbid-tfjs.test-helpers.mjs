// Loaded with `--import` by cold-start tests: any import of a @tensorflow/ package fails the
// command, so a command that passes loaded no tfjs at all.
import { register } from "node:module";

const hooks = `export function resolve(specifier, context, next) {
  if (specifier.startsWith("@tensorflow/")) throw new Error("tfjs loaded: " + specifier + " from " + context.parentURL);
  return next(specifier, context);
}`;
register(`data:text/javascript,${encodeURIComponent(hooks)}`);
