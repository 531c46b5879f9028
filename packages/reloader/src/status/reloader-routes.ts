// The routes of the reloader's status listener: /healthz, /metrics, /config.
import { jsonResponse, textResponse, type StatusRoutes } from "@rancher-haproxy/core";
import type { Registry } from "prom-client";
import type { ReloaderStatus } from "../state/reloader-status.js";
import { judgeReloaderHealth } from "./judge-reloader-health.js";
import type { AppliedState } from "./read-applied-state.js";
import { RUNNING_FILES } from "./read-running-config.js";
import type { RunningConfigCache } from "./running-config-cache.js";

// What the routes read.
export interface ReloaderRoutesInput {
  status: ReloaderStatus;
  registry: Registry;
  /** /config's answers: one read per running generation, shared by concurrent requests */
  runningConfig: RunningConfigCache;
  applied: () => Promise<AppliedState>;
  /** how long a changed input may wait to be applied before /healthz fails */
  graceMs: number;
  now: () => number;
}

// The routes table for startStatusListener.
export function reloaderRoutes(input: ReloaderRoutesInput): StatusRoutes {
  const { status, registry } = input;
  return {
    "/healthz": async () => {
      const health = judgeReloaderHealth(
        status.snapshot(),
        await input.applied(),
        input.now(),
        input.graceMs,
      );
      return jsonResponse(health.body, health.healthy ? 200 : 503);
    },
    "/metrics": async () => textResponse(await registry.metrics(), 200, registry.contentType),
    "/config": async (request) => {
      const { runningGeneration, haproxyPid, workerPid } = status.snapshot();
      const answers = await input.runningConfig(runningGeneration, haproxyPid !== null && workerPid !== null);
      if (answers === null) return textResponse("no running snapshot yet", 503);
      const file = request.query.get("file");
      if (file !== null) {
        const name = RUNNING_FILES.find((candidate) => candidate === file);
        if (name === undefined)
          return textResponse(`unknown file ${JSON.stringify(file)}: ${RUNNING_FILES.join(", ")}`, 404);
        return answers.file(name);
      }
      if (request.query.get("format") === "json") return answers.json();
      return answers.text();
    },
  };
}
