import { MetadataError } from "./metadata-error.js";
import { parseJsonAnswer, type JsonReading } from "./parse-json-answer.js";
import { byteLengthOf, decodeBody, headOf } from "./body-bytes.js";
import { announcedLengthProblem, type HeaderLookup } from "./announced-length.js";
import { isMetadataVersion, MAX_VERSION_LENGTH } from "./metadata-version.js";
import {
  DEFAULT_MAX_ANSWER_BYTES,
  MAX_ERROR_ANSWER_BYTES,
  MAX_SMALL_ANSWER_BYTES,
  MAX_VERSION_ANSWER_BYTES,
  type MetadataClientOptions,
} from "./metadata-client-options.js";
import { AnswerTooLarge, readCapped } from "./read-capped.js";

// node-fetch, loaded at the first request: a program that never asks metadata (the reloader with
// SYSLOG_HOST and without TLS, --help) does not pay for loading it.
let nodeFetch: Promise<typeof import("node-fetch")> | null = null;
const loadNodeFetch = () => (nodeFetch ??= import("node-fetch"));

// How much longer than its timeout a request may take in all while its body keeps coming.
const BODY_EXTRA_MS = 60_000;

// The small interface every metadata source goes through (a test can substitute its own).
export interface MetadataClient {
  /** GET /<version>/<path> as JSON; throws MetadataError (kind "not-found" on 404). `reading`
   * "entries": an array answer comes back as JsonArrayEntries, each entry parsed as a pass reaches it.
   * `maxBytes`: a smaller cap than the client's for this answer (a longer one fails as "too-large"). */
  getJson(path: string, signal?: AbortSignal, reading?: JsonReading, maxBytes?: number): Promise<unknown>;
  /** GET /<version>/<path> in text mode (what the original's curl did), e.g. self/host/agent_ip. */
  getText(path: string, signal?: AbortSignal): Promise<string>;
  /** Long-poll /version: resolves with the version once it differs from `last`, or after maxWait. */
  waitForVersion(last: string, maxWaitSeconds: number, signal?: AbortSignal): Promise<string>;
  /** The base URL, for logs. */
  readonly baseUrl: string;
}

// Create a metadata client on node-fetch with a timeout on every request (long polls get maxWait + 10 s).
export function createMetadataClient(options: MetadataClientOptions): MetadataClient {
  const baseUrl = `http://${options.apiHost}/${options.apiVersion}`;
  const timeoutMs = options.timeoutMs ?? 5000;
  const maxBytes = options.maxAnswerBytes ?? DEFAULT_MAX_ANSWER_BYTES;
  const extraReadMs = Math.max(0, (options.maxReadMs ?? timeoutMs + BODY_EXTRA_MS) - timeoutMs);

  async function get(
    path: string,
    json: JsonReading | null,
    limitMs: number,
    signal?: AbortSignal,
    pathCap?: number,
  ): Promise<unknown> {
    const { default: fetch, AbortError, FetchError } = await loadNodeFetch();
    const url = `${baseUrl}/${path.replace(/^\/+/, "")}`;
    // A version is small, and so is all that is shown of an error page on it: both read to 4 KiB at most,
    // within the request's timeout in all. With the extension a body trickled a byte at a time held a long
    // poll 80 s (a hang fails at 20 s) and the interval's plain read 65 s instead of 5.
    const version = /^\/*version(?:\?|$)/.test(path);
    // An error answer (any status but 200) only to MAX_ERROR_ANSWER_BYTES: set once the status is known.
    // A caller's cap for one path (a uuid's, the aliases', a certificate's) applies under the general one.
    const answerCap = version ? MAX_VERSION_ANSWER_BYTES : Math.min(maxBytes, pathCap ?? maxBytes);
    let cap = answerCap;
    // Any answer capped at MAX_SMALL_ANSWER_BYTES or less (a version, a uuid, a name, an address) must come
    // whole within the timeout: rancher-metadata writes one at once (every recorded answer up to 1.5 KB came
    // with a Content-Length, which Go sets only then). A trickle held such a read the 60 s meant for
    // /containers.
    const extraMs = answerCap <= MAX_SMALL_ANSWER_BYTES ? 0 : extraReadMs;
    // One controller per request, released in `finally`: Node 20's AbortSignal.any() keeps every signal
    // combined with a long-lived one alive, which leaks in a loop that runs for months.
    const controller = new AbortController();
    let timedOut = false;
    const expire = () => {
      timedOut = true;
      controller.abort();
    };
    let timer = setTimeout(expire, limitMs);
    // Each piece of the body that arrives gives the rest another `limitMs`, up to `limitMs + extraMs`
    // in all: 5 s for the whole body cut a large /containers from a busy server, cycle after cycle.
    const deadline = performance.now() + limitMs + extraMs;
    const progressed = () => {
      clearTimeout(timer);
      timer = setTimeout(expire, Math.max(0, Math.min(limitMs, deadline - performance.now())));
    };
    const onAbort = () => controller.abort();
    signal?.addEventListener("abort", onAbort, { once: true });
    if (signal?.aborted) controller.abort();
    let body: Buffer[];
    let status = 0;
    let headers: HeaderLookup | undefined;
    try {
      const response = await fetch(url, {
        headers: json !== null ? { Accept: "application/json" } : {},
        signal: controller.signal,
        redirect: "error",
      });
      status = response.status;
      headers = response.headers;
      if (status !== 200) cap = Math.min(answerCap, MAX_ERROR_ANSWER_BYTES);
      body = await readCapped(response.body, cap, progressed);
    } catch (error) {
      if (error instanceof AnswerTooLarge) {
        controller.abort();
        // An error answer stays an HTTP error, whatever its size; its first characters are shown.
        const head = headOf(error.head, 200).trim();
        if (status !== 200)
          throw new MetadataError(
            status === 404 ? "not-found" : "http-status",
            url,
            `HTTP ${status}: (an answer over ${cap} bytes)${head === "" ? "" : ` ${head}… (the rest not read)`}`,
            status,
          );
        throw new MetadataError(
          "too-large",
          url,
          version
            ? `answer larger than ${cap} bytes (a version is at most ${MAX_VERSION_LENGTH} characters): not read further`
            : answerCap === maxBytes
              ? `answer larger than ${maxBytes} bytes (the metadata answer cap): not read further`
              : `answer larger than ${cap} bytes (the cap of this path's answer): not read further`,
        );
      }
      if (signal?.aborted) throw new MetadataError("aborted", url, "request aborted");
      if (timedOut || error instanceof AbortError)
        throw new MetadataError(
          "timeout",
          url,
          `no complete answer: none within ${limitMs} ms, a pause that long in its body, or past ${Math.round(limitMs + extraMs)} ms in all`,
        );
      const detail = error instanceof FetchError ? (error.code ?? error.message) : String(error);
      throw new MetadataError("network", url, `request failed: ${detail}`);
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
    }
    if (status === 404) throw new MetadataError("not-found", url, "404 Not found", 404);
    if (status !== 200)
      throw new MetadataError("http-status", url, `HTTP ${status}: ${headOf(body, 200).trim()}`, status);
    const cut = headers && announcedLengthProblem(headers, byteLengthOf(body));
    if (cut) throw new MetadataError("network", url, `request failed: ${cut}`);
    return json === null ? decodeBody(body) : parseJsonAnswer(body, url, json);
  }

  return {
    baseUrl,
    getJson: (path, signal, reading, cap) => get(path, reading ?? "value", timeoutMs, signal, cap),
    getText: async (path, signal) => String(await get(path, null, timeoutMs, signal)),
    async waitForVersion(last, maxWaitSeconds, signal) {
      // The real server answers N to N+5 s after the request when nothing changed: allow for that.
      const wait = Math.max(1, Math.min(120, Math.round(maxWaitSeconds)));
      const query = `version?wait=true&value=${encodeURIComponent(last)}&maxWait=${wait}`;
      const value = await get(query, "value", (wait + 10) * 1000, signal);
      if (!isMetadataVersion(value))
        throw new MetadataError(
          "invalid-json",
          `${baseUrl}/version`,
          `version is not 1 to ${MAX_VERSION_LENGTH} printable ASCII characters`,
        );
      return value;
    },
  };
}
