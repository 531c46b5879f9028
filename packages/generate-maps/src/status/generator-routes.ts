// The routes of generate-maps' status listener: /healthz, /metrics, /routes, /explain.
import {
  jsonResponse,
  textResponse,
  withBytes,
  type StatusRequest,
  type StatusResponse,
  type StatusRoutes,
} from "@rancher-haproxy/core";
import type { Registry } from "prom-client";
import type { GeneratorOptions } from "../options/generator-options.js";
import { explain } from "./explain.js";
import { EXPLAIN_BUDGET_MS, ExplainBudget } from "./explain-budget.js";
import type { ExplainQuery } from "./explanation.js";
import { judgeHealth } from "./judge-health.js";
import { renderExplanation } from "./render-explanation.js";
import { buildRoutesReport } from "./routes-report.js";
import type { StatusState } from "./status-state.js";

// What the routes read: the loop's state, the metrics registry, the options, the clock.
export interface GeneratorRoutesInput {
  state: StatusState;
  registry: Registry;
  options: GeneratorOptions;
  /** the monotonic clock (ms), what /healthz measures ages on */
  now: () => number;
  /** counts an /explain refused because its loop-time budget was spent (explain-budget.ts: a token bucket,
   * EXPLAIN_BUDGET_MS per EXPLAIN_WINDOW_MS on average, not a budget per second) */
  explainRefused?: () => void;
}

// The routes table for startStatusListener.
export function generatorRoutes(input: GeneratorRoutesInput): StatusRoutes {
  const { state, registry, options, now } = input;
  // /routes is built once per written table (and newest answer: its version and hold are shown) and its
  // bytes shared by every request until the next one (10 000 containers: 4.3 MB and 80-190 ms per
  // request when each one built its own). A quiet interval renews lastSuccess's time, not its output.
  let routes: { applied: object; newest: object; response: StatusResponse } | null = null;
  const budget = new ExplainBudget(now);
  return {
    "/healthz": () => {
      const verdict = judgeHealth(state, now(), options.intervalMs);
      return jsonResponse(verdict.body, verdict.healthy ? 200 : 503);
    },
    "/metrics": async () => textResponse(await registry.metrics(), 200, registry.contentType),
    "/routes": () => {
      if (state.applied === null || state.lastSuccess === null)
        return jsonResponse({ error: "no cycle has written the files yet", lastCycle: state.lastCycle }, 503);
      if (routes?.applied !== state.applied || routes.newest !== state.lastSuccess.output)
        routes = {
          applied: state.applied,
          newest: state.lastSuccess.output,
          response: withBytes(jsonResponse(buildRoutesReport(state.applied, state.lastSuccess))),
        };
      return routes.response;
    },
    "/explain": (request) => {
      const answer = budget.spend(() => answerExplain(request, state, options));
      if (answer !== null) return answer;
      input.explainRefused?.();
      return textResponse(
        `busy: /explain answers used their ${EXPLAIN_BUDGET_MS} ms per second of the loop; ask again a little later`,
        503,
      );
    },
  };
}

const EXPLAIN_USAGE =
  "usage: /explain?container=<name or uuid> or /explain?host=<fqdn> (add &format=text for text)";

function answerExplain(request: StatusRequest, state: StatusState, options: GeneratorOptions) {
  const several = severalQueries(request.query);
  if (several !== null) return textResponse(`one query at a time: got ${several}; ${EXPLAIN_USAGE}`, 400);
  const query = explainQuery(request.query);
  if (query === null) return textResponse(EXPLAIN_USAGE, 400);
  const success = state.lastSuccess;
  if (success === null)
    return jsonResponse({ error: "no cycle has read metadata yet", lastCycle: state.lastCycle }, 503);
  const { table, version, guard } = success.output;
  const explanation = explain(table, query, { version, options, guard });
  const status = explanation.found ? 200 : 404;
  if (request.query.get("format") === "text") return textResponse(renderExplanation(explanation), status);
  return jsonResponse(explanation, status);
}

const QUERY_PARAMS = ["container", "host", "q"] as const;

function explainQuery(params: URLSearchParams): ExplainQuery | null {
  for (const by of QUERY_PARAMS) {
    const value = params.get(by)?.trim();
    if (value) return { by: by === "q" ? "any" : by, value };
  }
  return null;
}

// The query parameters given (not empty) more than once in all, as the refusal names them (`container=
// and host=`, `host= 2 times`); null for one or none. An answer is about one name: answering for the first
// alone read as an answer about the other (until 2026-12-04 `?host=&container=` explained the container).
function severalQueries(params: URLSearchParams): string | null {
  const count = (by: string) => params.getAll(by).filter((value) => value.trim() !== "").length;
  const given = QUERY_PARAMS.filter((by) => count(by) > 0);
  if (given.length > 1) return given.map((by) => `${by}=`).join(" and ");
  const [by] = given;
  return by !== undefined && count(by) > 1 ? `${by}= ${count(by)} times` : null;
}
