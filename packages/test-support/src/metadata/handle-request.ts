// One HTTP request to the stand-in: logging, transport faults, gorilla/mux routing, Go framing.
import type { IncomingMessage, ServerResponse } from "node:http";
import { setTimeout as delay } from "node:timers/promises";
import { answerMetadata, isLongPoll, type MetadataContext } from "./answer-metadata.js";
import { negotiateContentType } from "./negotiate-content-type.js";
import { cleanPath, parseRequestTarget, type RequestTarget } from "./parse-request-target.js";
import { successAnswer } from "./render-answer.js";
import type { RequestLog } from "./request-log.js";
import { requestIp } from "./request-ip.js";
import type { CachedAnswer } from "./response-cache.js";
import { goError, sendGoResponse } from "./send-go-response.js";

// What the request handler needs from the running server.
export interface RequestContext extends MetadataContext {
  readonly xff: boolean;
  readonly log: RequestLog;
  readonly closing: AbortSignal;
}

// Serves one request like rancher-metadata v0.10.4 would, with the current fault applied.
export async function handleRequest(
  ctx: RequestContext,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const target = parseRequestTarget(req.url ?? "/");
  const clientIp = requestIp(req, ctx.xff);
  const record = ctx.log.start({
    method: req.method ?? "GET",
    path: target?.path ?? req.url ?? "",
    query: target?.rawQuery ?? "",
    clientIp,
    longPoll: target !== null && isLongPoll(target.rawQuery),
    startedAt: Date.now(),
  });
  const abort = new AbortController();
  const onClosing = () => abort.abort();
  ctx.closing.addEventListener("abort", onClosing, { once: true });
  res.on("close", () => {
    abort.abort();
    ctx.closing.removeEventListener("abort", onClosing);
    if (res.headersSent) record.status = res.statusCode;
    record.durationMs = Date.now() - record.startedAt;
  });

  if (ctx.fault?.kind === "endless-containers" && /\/containers\/?$/.test(target?.path ?? "")) {
    await sendEndless(res, abort.signal);
    return;
  }
  const slow = ctx.fault?.kind === "slow" ? ctx.fault : null;
  if (slow !== null && !(await sleep(slow.delayMs ?? 30_000, abort.signal))) return;
  const fault = ctx.fault;
  const answer =
    fault?.kind === "status-500"
      ? goError(500, fault.body ?? "Internal Server Error")
      : await route(ctx, req, target, clientIp, abort.signal);
  if (answer === null || res.destroyed) return;
  if (answer === "panic") res.destroy();
  else sendGoResponse(res, req.method === "HEAD", answer, ctx.fault?.kind === "cut");
}

async function route(
  ctx: RequestContext,
  req: IncomingMessage,
  target: RequestTarget | null,
  clientIp: string,
  signal: AbortSignal,
): Promise<CachedAnswer | null> {
  if (target === null) {
    const headers = { "Content-Type": "text/plain; charset=utf-8", Connection: "close" };
    return { status: 400, body: Buffer.from("400 Bad Request"), headers };
  }
  if (cleanPath(target.path) !== target.path) {
    const location = cleanPath(target.rawPath) + (target.rawQuery === "" ? "" : "?" + target.rawQuery);
    return { status: 301, body: Buffer.alloc(0), headers: { Location: location } };
  }
  const method = req.method ?? "GET";
  if (target.path === "/favicon.ico" || (method !== "GET" && method !== "HEAD")) {
    return goError(404, "404 page not found", false);
  }
  const kind = negotiateContentType(req.headersDistinct["accept"] ?? []);
  if (target.path === "/") return successAnswer(ctx.snapshot.rootListing(), kind, false);
  const version = target.path.split("/")[1] ?? "";
  return answerMetadata(ctx, { version, target, clientIp, kind, signal });
}

// A 200 whose chunked JSON list goes on for ever, written as fast as the client reads it.
async function sendEndless(res: ServerResponse, signal: AbortSignal): Promise<void> {
  res.writeHead(200, { "Content-Type": "application/json" });
  res.write("[");
  const chunk = Buffer.from('{"name":"endless","labels":{}},'.repeat(2048));
  while (!signal.aborted && !res.destroyed) {
    if (!res.write(chunk))
      await new Promise<void>((resolve) => {
        res.once("drain", resolve);
        res.once("close", resolve);
      });
  }
}

// Resolves true after `ms`, false as soon as `signal` aborts.
async function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  try {
    await delay(ms, undefined, { signal });
    return true;
  } catch {
    return false;
  }
}
