// The generator's own environment as metadata answers it (self/container/environment_uuid): a Rancher
// uuid (36 characters; the default environment's may be a name like `adminProject`). It is kept for the
// process's life, compared with every container's and shown in skip reasons, so a non-empty answer that is
// not a short token of safe characters (megabytes, spaces, controls, quotes) is refused like a failed
// request of it, with what came, instead of being kept.
import { describeValue } from "../model/describe-value.js";
import { MetadataShapeError } from "./metadata-shape-error.js";

// The longest environment uuid accepted (a Rancher uuid is 36 characters).
export const MAX_ENVIRONMENT_LENGTH = 128;

const TOKEN = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

// True for 1 to MAX_ENVIRONMENT_LENGTH letters, digits, `.`, `_` or `-`, starting with a letter or digit.
export function isEnvironmentUuid(value: unknown): boolean {
  return typeof value === "string" && value.length <= MAX_ENVIRONMENT_LENGTH && TOKEN.test(value);
}

// The answer from `url` as it was (a 404's null, an empty or non-string answer: unknown, as before), or a
// MetadataShapeError for a non-empty string that is not an environment uuid.
export function checkEnvironmentAnswer(url: string, value: unknown): unknown {
  if (typeof value !== "string" || value === "" || isEnvironmentUuid(value)) return value;
  throw new MetadataShapeError(
    url,
    `environment_uuid answer has the wrong shape: expected 1 to ${MAX_ENVIRONMENT_LENGTH} letters, digits, ` +
      `'.', '_' or '-', starting with a letter or digit, ` +
      `got ${describeValue(value)} (${value.length} characters)`,
  );
}
