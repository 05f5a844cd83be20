import { PlanError } from "@stepwise/core";
import { DataError, type DataErrorCode } from "../errors.ts";
import { SourceError } from "../sources/errors.ts";
import { PipelineError } from "./errors.ts";
import type { SerializedError } from "./worker-protocol.ts";

/** An error as it can cross to another thread: class name, message, and a DataError's fields. */
export function serializeError(error: unknown): SerializedError {
  if (!(error instanceof Error)) return { name: "Error", message: String(error) };
  if (error instanceof DataError) {
    const { code, reason, file, line, column, columnNumber } = error;
    return {
      name: error.name,
      message: error.message,
      data: { code, reason, file, line, column, columnNumber },
    };
  }
  return { name: error.name, message: error.message };
}

const ERRORS: Record<string, new (message: string) => Error> = { PipelineError, SourceError, PlanError };

/** The error `serializeError` described, rebuilt on this thread with the same class where it is ours. */
export function rebuildError(error: SerializedError): Error {
  if (error.data !== undefined)
    return new DataError({ ...error.data, code: error.data.code as DataErrorCode });
  const Type = ERRORS[error.name];
  if (Type) return new Type(error.message);
  const plain = new Error(error.message);
  plain.name = error.name;
  return plain;
}
