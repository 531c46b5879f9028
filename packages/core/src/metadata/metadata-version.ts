// What a metadata version may be. rancher-metadata answers a uuid; the generator sends the version back
// in the long poll's query and shows it in logs, /healthz and a metric label, so an answer that is not a
// short token (a lone surrogate, which encodeURIComponent throws on; megabytes; spaces or controls) is
// refused like any other malformed answer.

// The longest version accepted (a uuid is 36 characters).
export const MAX_VERSION_LENGTH = 256;

const VERSION = /^[\x21-\x7e]+$/;

// True for 1 to MAX_VERSION_LENGTH printable ASCII characters without spaces.
export function isMetadataVersion(value: unknown): value is string {
  return typeof value === "string" && value.length <= MAX_VERSION_LENGTH && VERSION.test(value);
}
