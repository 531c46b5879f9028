// A failed metadata request, classified so callers can log one clear line and metrics can count by kind.
export type MetadataErrorKind =
  "not-found" | "http-status" | "timeout" | "network" | "invalid-json" | "too-large" | "aborted";

// Error thrown by the metadata client; `kind` is stable, `message` names the URL and what went wrong.
export class MetadataError extends Error {
  override readonly name = "MetadataError";
  constructor(
    readonly kind: MetadataErrorKind,
    readonly url: string,
    message: string,
    readonly status?: number,
  ) {
    super(`${url}: ${message}`);
  }
}

// True when the error is a 404 from the metadata server (a missing key, e.g. no aliases).
export function isNotFound(error: unknown): boolean {
  return error instanceof MetadataError && error.kind === "not-found";
}
