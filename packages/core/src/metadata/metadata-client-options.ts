// Options of a metadata client: where the server is and how long one request may take.
export interface MetadataClientOptions {
  /** host[:port] of rancher-metadata, e.g. `rancher-metadata.rancher.internal` or `127.0.0.1:8080` */
  apiHost: string;
  /** `2015-12-19`, `2016-07-29` or `latest` */
  apiVersion: string;
  /** per-request timeout for ordinary GETs, in milliseconds: until the answer starts, and the longest
   * pause while its body arrives (a large answer that keeps coming is read on) */
  timeoutMs?: number;
  /** the longest one request may take in all while its body keeps coming (default the timeout + 60 s);
   * not a /version request nor one capped at MAX_SMALL_ANSWER_BYTES or less, which the timeout bounds */
  maxReadMs?: number;
  /** the most bytes one answer may have; a longer one fails with kind "too-large" (default 64 MiB) */
  maxAnswerBytes?: number;
}

// The default cap on one metadata answer: /containers of 50 000 containers is about 60 MB of JSON less.
export const DEFAULT_MAX_ANSWER_BYTES = 64 * 1024 * 1024;

// The cap of a small answer (a version; the generator's self/container/environment_uuid, at most 128
// characters, and self/service/name; the reloader's self/host/agent_ip): 4 KiB. They were read to the
// general cap, 64 MiB a cycle from a hostile server, before the uuid's length was checked. An answer
// capped at this or less must come whole within the request's timeout (no body extension).
export const MAX_SMALL_ANSWER_BYTES = 4096;

// The cap on a `/version` answer (plain or long-polled): a JSON string of at most MAX_VERSION_LENGTH
// characters, a small answer; the general cap let a 64 MiB answer through to the parser.
export const MAX_VERSION_ANSWER_BYTES = MAX_SMALL_ANSWER_BYTES;

// The cap on an error answer (any status but 200): only its first 200 characters are shown, so one is read
// to 64 KiB and no further; an error page on /containers was read up to the general 64 MiB cap.
export const MAX_ERROR_ANSWER_BYTES = 64 * 1024;
