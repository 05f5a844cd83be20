import { CommanderError } from "commander";

/** A mistake in how the command was called (bad flag value, missing input); printed as one line. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** A run folder that cannot be used as asked (not a run, incomplete, or its inputs changed). */
export class RunError extends Error {
  override name = "RunError";
}

/** A file that cannot be read, parsed or written; the message names the file and the reason (one line). */
export class FileError extends Error {
  override name = "FileError";
  constructor(
    readonly path: string,
    message: string,
    /** The system error code (`ENOENT`, `ENOSPC`, …), or `invalid` for content that does not parse. */
    readonly code: string,
  ) {
    super(message);
  }
}

/** Exit codes of a process stopped by a signal, as shells report them (128 + signal number). */
export const SIGNAL_EXIT_CODES = { SIGINT: 130, SIGTERM: 143 } as const;

/** Work stopped by SIGINT (Ctrl-C) or SIGTERM; the CLI prints the message and exits 130 or 143. */
export class InterruptedError extends Error {
  override name = "InterruptedError";
  readonly exitCode: number;
  constructor(
    readonly signal: keyof typeof SIGNAL_EXIT_CODES,
    message = `interrupted by ${signal}`,
  ) {
    super(message);
    this.exitCode = SIGNAL_EXIT_CODES[signal];
  }
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
  "FileError",
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
  if (error instanceof InterruptedError) return { text: error.message, exitCode: error.exitCode };
  if (error instanceof CommanderError) {
    return { text: error.message.replace(/\n[\s\S]*$/, ""), exitCode: error.exitCode || 2 };
  }
  if (debug && error instanceof Error && error.stack) return { text: error.stack, exitCode: 1 };
  const message = error instanceof Error ? error.message : String(error);
  const firstLine = message.split("\n")[0] ?? message;
  const hint = isUserError(error) ? "" : " (run with --debug for details)";
  return { text: `error: ${firstLine}${hint}`, exitCode: 1 };
}
