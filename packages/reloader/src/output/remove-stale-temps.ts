// Temp files a killed reloader left behind: writeFileAtomic's `.<name>.<pid>.<8 hex>.tmp` in the state
// dir and its certs/ (pid file, base config, PEMs, crt-list) and beside HAPROXY_CONFIG's copy, and the
// `current.<pid>.tmp` and `kept.<pid>.tmp` links of a switch (and its `kept.reloads.<pid>.tmp` note). A SIGKILL mid-write left them for ever
// (found by a review). Run with the state dir's lock held: no other reloader writes there.
import { readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { isTempName, removeStaleTemps, type Logger } from "@rancher-haproxy/core";
import type { StateLayout } from "./snapshot-layout.js";

const LINK_TEMP = /^(current|kept|kept\.reloads)\.[0-9]+\.tmp$/;

// Removes them; logged (`state.stale-temps`) when there were any. Never throws: housekeeping.
export async function removeReloaderTemps(
  layout: StateLayout,
  haproxyConfig: string | null,
  logger: Logger,
): Promise<string[]> {
  const removed: string[] = [];
  for (const dir of [layout.dir, join(layout.dir, "certs")]) {
    const names = await readdir(dir).catch(() => [] as string[]);
    for (const name of names) {
      if (!isTempName(name) && !(dir === layout.dir && LINK_TEMP.test(name))) continue;
      await rm(join(dir, name), { force: true }).then(
        () => removed.push(join(dir, name)),
        () => undefined,
      );
    }
  }
  if (haproxyConfig !== null) {
    const beside = await removeStaleTemps(haproxyConfig).catch(() => [] as string[]);
    removed.push(...beside.map((name) => join(haproxyConfig, "..", name)));
  }
  if (removed.length > 0)
    logger.info(
      { event: "state.stale-temps", removed: removed.slice(0, 20), count: removed.length },
      "removed temp files a killed reloader left behind",
    );
  return removed;
}
