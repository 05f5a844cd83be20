import { CommanderError } from "commander";

/** A mistake in how the command was called (bad flag value, missing input); printed as one line. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** A run folder that cannot be used as asked (not a run, incomplete, or its inputs changed). */
export class RunError extends Error {
  override name = "RunError";
}

/** A failure among the ranks of a data-parallel run (rendezvous, a lost peer, a plan mismatch); one line. */
export class DistError extends Error {
  override name = "DistError";
}

/** Ends a command with `exitCode` and nothing more to print: the command's output already says why (e.g. a failed check). */
export class ExitStatus extends Error {
  override name = "ExitStatus";
  constructor(readonly exitCode: number) {
    super(`exit status ${exitCode}`);
  }
}

/** Errors whose message is already a complete one-line explanation for the user. */
const USER_ERRORS = new Set([
  "UsageError",
  "PlanError",
  "DataError",
  "SchemaError",
  "StateError",
  "RunError",
  "DistError",
  "PipelineError",
  "SourceError",
  "TensorAdapterError",
]);

/** True for errors a user caused and can fix; their stack is noise unless --debug. */
export function isUserError(error: unknown): error is Error {
  return error instanceof Error && USER_ERRORS.has(error.name);
}

/**
 * Turns any failure into the text to print and the exit code: one line, no stack trace
 * unless `debug`. Commander's own errors (unknown flag, missing value) keep their wording; an
 * `ExitStatus` prints nothing.
 */
export function describeFailure(error: unknown, debug: boolean): { text: string; exitCode: number } {
  if (error instanceof ExitStatus) return { text: "", exitCode: error.exitCode };
  if (error instanceof CommanderError) {
    return { text: error.message.replace(/\n[\s\S]*$/, ""), exitCode: error.exitCode || 2 };
  }
  if (debug && error instanceof Error && error.stack) return { text: error.stack, exitCode: 1 };
  const message = error instanceof Error ? error.message : String(error);
  const firstLine = message.split("\n")[0] ?? message;
  const hint = isUserError(error) ? "" : " (run with --debug for details)";
  return { text: `error: ${firstLine}${hint}`, exitCode: 1 };
}
