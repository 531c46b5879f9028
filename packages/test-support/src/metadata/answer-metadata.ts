// The /<version>/<path> route of the real server (its `metadata` handler), with the data faults.
import type { ApiView } from "./api-view.js";
import { goAtoi, queryUnescape } from "./go-format.js";
import type { LongPollHub } from "./long-poll-hub.js";
import { effectiveMaxWaitMs, longPoll } from "./long-poll.js";
import { matchPath, type Match } from "./match-path.js";
import type { ContentKind } from "./negotiate-content-type.js";
import { queryParam, type RequestTarget } from "./parse-request-target.js";
import { errorAnswer, successAnswer } from "./render-answer.js";
import type { CachedAnswer } from "./response-cache.js";
import { goOk, type GoResponse } from "./send-go-response.js";
import type { Snapshot } from "./snapshot.js";
import type { MetadataFault } from "./types.js";

// The live server state a metadata request reads (re-read after every wake-up of a long poll).
export interface MetadataContext {
  readonly snapshot: Snapshot;
  readonly fault: MetadataFault | null;
  readonly hub: LongPollHub;
  reload(): void;
}

// One metadata request, already routed.
export interface MetadataRequest {
  version: string;
  target: RequestTarget;
  clientIp: string;
  kind: ContentKind;
  signal: AbortSignal;
}

// True when the query makes this request a long poll (the real route needs wait=true exactly and a value).
export function isLongPoll(rawQuery: string): boolean {
  return queryParam(rawQuery, "wait") === "true" && queryParam(rawQuery, "value") !== null;
}

// Answers a metadata request; null when the client went away or the server closed during a long poll.
export async function answerMetadata(ctx: MetadataContext, r: MetadataRequest): Promise<CachedAnswer | null> {
  if (ctx.snapshot.resolve(r.version) === null) return errorAnswer(r.kind, 404, "Invalid version");
  let segments: string[];
  try {
    segments = r.target.rawPath.slice(1).replace(/\/+$/, "").split("/").slice(1).map(queryUnescape);
  } catch (err) {
    return errorAnswer(r.kind, 400, (err as Error).message);
  }
  const lowerPath = segments.join("/").toLowerCase();
  if (ctx.fault?.kind === "containers-404" && lowerPath === "containers")
    return errorAnswer(r.kind, 404, "Not found");
  if (ctx.fault?.kind === "version-churn" && lowerPath === "version") ctx.reload();

  if (isLongPoll(r.target.rawQuery)) {
    const oldValue = queryParam(r.target.rawQuery, "value") ?? "";
    const maxWaitMs = effectiveMaxWaitMs(goAtoi(queryParam(r.target.rawQuery, "maxWait")));
    const source = {
      match: () => lookup(ctx.snapshot, r.version, r.clientIp, segments),
      hanging: () => ctx.fault?.kind === "longpoll-hang",
      hub: ctx.hub,
    };
    if (!(await longPoll(source, oldValue, maxWaitMs, r.signal))) return null;
  }
  const answer = render(ctx.snapshot, r, segments);
  return answer === "panic" || answer.status !== 200 ? answer : applyDataFault(ctx, r, segments, answer);
}

// The served view of a version segment in this reload (none for `latest` without any tree).
function viewFor(snapshot: Snapshot, version: string): { api: string; view: ApiView } | undefined {
  const api = snapshot.resolve(version);
  const view = api === null ? undefined : snapshot.view(api);
  return api === null || view === undefined ? undefined : { api, view };
}

function lookup(snapshot: Snapshot, version: string, ip: string, segments: string[]): Match {
  const found = viewFor(snapshot, version);
  return found === undefined ? { found: false } : matchPath(found.view.clientRoot(ip).root, segments);
}

function render(snapshot: Snapshot, r: MetadataRequest, segments: string[]): CachedAnswer {
  const found = viewFor(snapshot, r.version);
  if (found === undefined) return errorAnswer(r.kind, 404, "Not found");
  const { api, view } = found;
  const { root, selfKey, cacheable } = view.clientRoot(r.clientIp);
  const usesSelf = segments.length === 0 || segments[0]?.toLowerCase() === "self";
  const key = [api, r.kind, usesSelf ? selfKey : "", ...segments].join("\0");
  const cached = cacheable ? snapshot.cache.get(key) : undefined;
  if (cached !== undefined) return cached;
  const match = matchPath(root, segments);
  const answer = match.found
    ? successAnswer(match.value, r.kind, view.keysSorted)
    : errorAnswer(r.kind, 404, "Not found");
  if (cacheable) snapshot.cache.set(key, answer);
  return answer;
}

function applyDataFault(
  ctx: MetadataContext,
  r: MetadataRequest,
  segments: string[],
  answer: GoResponse,
): GoResponse {
  switch (ctx.fault?.kind) {
    case "invalid-json":
      return goOk(ctx.fault.body ?? '{"containers": [');
    case "empty-body":
      return goOk("");
    case "invalid-entry": {
      const body = answer.body.toString("utf8").trimEnd();
      if (segments.join("/").toLowerCase() !== "containers" || !body.endsWith("]")) return answer;
      return goOk(`${body.slice(0, -1)}${body.length > 2 ? "," : ""}{"name": nope}]\n`);
    }
    case "wrong-shape": {
      const match = lookup(ctx.snapshot, r.version, r.clientIp, segments);
      const isObject = match.found && typeof match.value === "object" && !Array.isArray(match.value);
      return goOk(isObject && match.value !== null ? '["wrong","shape"]' : '{"wrong":"shape"}');
    }
    default:
      return answer;
  }
}
