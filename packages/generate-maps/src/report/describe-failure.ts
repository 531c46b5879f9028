// One stable kind and one readable message for any failure of a cycle (metrics count by kind later).
import { MetadataError } from "@rancher-haproxy/core";
import { MetadataShapeError } from "../sources/metadata-shape-error.js";

// What a log line and a metric need from a failure.
export interface FailureDescription {
  kind: string;
  message: string;
}

// MetadataError and MetadataShapeError keep their kind; filesystem errors report their code; anything else is "unexpected".
export function describeFailure(error: unknown): FailureDescription {
  if (error instanceof MetadataError || error instanceof MetadataShapeError)
    return { kind: error.kind, message: error.message };
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (error instanceof Error)
    return { kind: typeof code === "string" ? code : "unexpected", message: error.message };
  return { kind: "unexpected", message: String(error) };
}
