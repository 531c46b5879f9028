// HAProxy's global maxconn when MAXCONN is unset. Without one, HAProxy derives it from the fd limit:
// about 10 000 under a 20 000 limit (so 12 000 idle connections starve normal requests) and about
// 500 000 under Docker's default (memory without bound). An idle client holds one fd, a proxied request
// two: the default lets as many clients in as the fd hard limit holds (HAProxy cannot raise it without
// CAP_SYS_RESOURCE, which Docker does not grant), with `no strict-limits` rendered so it starts anyway.
import { readFileSync } from "node:fs";
import { DEFAULT_MAXCONN } from "../render/base-config-input.js";

// fds kept for listeners, servers being connected, logs, the master CLI and the reloader's own use.
const FD_RESERVE = 1000;

// DEFAULT_MAXCONN, lowered to what the fd hard limit holds (never below 256).
export function defaultMaxconn(hardLimit = readHardFdLimit()): number {
  if (hardLimit === null) return DEFAULT_MAXCONN;
  return Math.max(256, Math.min(DEFAULT_MAXCONN, hardLimit - FD_RESERVE));
}

// The hard RLIMIT_NOFILE of this process (Linux /proc), null when unknown or unlimited.
function readHardFdLimit(): number | null {
  try {
    const line = readFileSync("/proc/self/limits", "utf8")
      .split("\n")
      .find((text) => text.startsWith("Max open files"));
    const hard = Number(line?.split(/\s{2,}/)[2]);
    return Number.isSafeInteger(hard) && hard > 0 ? hard : null;
  } catch {
    return null;
  }
}
