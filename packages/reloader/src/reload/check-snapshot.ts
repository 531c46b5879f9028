// `haproxy -c` on one staged snapshot for SnapshotStore.check: a pass logged, a failure logged with the
// offending lines and the snapshot removed, a check with no verdict removed and thrown.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { Logger } from "@rancher-haproxy/core";
import { checkConfig, type CheckResult } from "../haproxy/check-config.js";
import { findOffendingLines, maskSecrets } from "../haproxy/find-offending-lines.js";
import { configFiles, generationName, type StateLayout } from "../output/snapshot-layout.js";
import { removeSnapshot } from "../output/stage-snapshot.js";
import { StartupError } from "../startup-error.js";
import { CheckStoppedError } from "./check-stopped-error.js";

// haproxy -c with `bin` on gen-<n>: one that timed out or was killed is a CheckStoppedError (removed
// first), a binary that cannot be run a StartupError; a failing one is removed and answered with why.
export async function checkSnapshot(
  bin: string,
  layout: StateLayout,
  logger: Logger,
  generation: number,
): Promise<{ ok: true; check: CheckResult } | { ok: false; generation: number; reason: string }> {
  const paths = configFiles(join(layout.dir, generationName(generation)));
  const check = await checkConfig(bin, paths);
  if (check.spawnError !== null)
    throw new StartupError(`cannot run ${bin} -c (--haproxy-bin / HAPROXY_BIN): ${check.spawnError}`, 2);
  if (check.ok) {
    logger.info(
      { event: "check.passed", generation, durationMs: check.durationMs },
      `gen-${generation} passes haproxy -c`,
    );
    return { ok: true, check };
  }
  const contents = new Map<string, string>();
  for (const path of paths) contents.set(path, await readFile(path, "utf8").catch(() => ""));
  logger.error(
    {
      event: "check.failed",
      generation,
      durationMs: check.durationMs,
      exitCode: check.exitCode,
      stopped: check.stopped,
      output: maskSecrets(check.output),
      offendingLines: findOffendingLines(check.output, contents),
    },
    check.stopped === null
      ? `${failure(generation, null, "fails")}: keeping the running config until the files change again`
      : `${failure(generation, check.stopped, "fails")}: no verdict, keeping the running config and checking again later`,
  );
  await removeSnapshot(layout, generation);
  if (check.stopped !== null) throw new CheckStoppedError(generation, check.stopped);
  return { ok: false, generation, reason: failure(generation, check.stopped, "failed") };
}

// "gen-<n> fails haproxy -c", or "gen-<n>: haproxy -c timed out after … / was killed by SIGKILL".
function failure(generation: number, stopped: string | null, verb: "fails" | "failed"): string {
  return stopped === null ? `gen-${generation} ${verb} haproxy -c` : `gen-${generation}: ${stopped}`;
}
