// Starts one master-worker HAProxy on <state>/current and waits until its worker serves: the start and
// restart path of the supervisor. A master that does not become ready is killed; logging and the status
// say what happened.
import { writeFileAtomic, type Logger } from "@rancher-haproxy/core";
import { configFiles, type StateLayout } from "../output/snapshot-layout.js";
import type { ReloaderStatus } from "../state/reloader-status.js";
import { waitUntilReady, type Verdict } from "./confirm-reload.js";
import { logHaproxyLine } from "./log-haproxy-line.js";
import { haproxyArgs, spawnHaproxy, type HaproxyChild } from "./spawn-haproxy.js";
import { closeWriteEnd, type StdoutFifo } from "./stdout-fifo.js";

// What a launch needs (the supervisor's options).
export interface LaunchOptions {
  bin: string;
  layout: StateLayout;
  reloadTimeoutMs: number;
  logger: Logger;
  status: ReloaderStatus;
  /** where HAProxy's stdout goes (null: a pipe to this process) */
  stdoutFifo: StdoutFifo | null;
}

// How a launch ended: the readiness verdict and the child (null: it could not be spawned; the verdict's
// reason says why).
export interface Launch {
  verdict: Verdict;
  child: HaproxyChild | null;
}

// Spawns HAProxy and waits for its worker. `onSpawned` runs as soon as the process exists (before it is
// ready), so the caller owns its exit from the start; `onStderr` gets HAProxy's error output lines.
export async function launchMaster(
  options: LaunchOptions,
  reason: "start" | "restart",
  onSpawned: (child: HaproxyChild) => void,
  onStderr: (line: string) => void = () => undefined,
): Promise<Launch> {
  const { bin, layout, logger, status } = options;
  const started = performance.now();
  let child: HaproxyChild;
  let stdoutFd: number | undefined;
  try {
    stdoutFd = options.stdoutFifo?.openWriteEnd();
    child = await spawnHaproxy(
      bin,
      haproxyArgs(layout.masterSocket, configFiles(layout.current)),
      (stream, line) => {
        if (stream === "stderr") onStderr(line);
        logHaproxyLine(logger, stream, line);
      },
      stdoutFd,
    );
  } catch (error) {
    return { verdict: { ok: false, kind: "exited", reason: String(error), info: null }, child: null };
  } finally {
    if (stdoutFd !== undefined) closeWriteEnd(stdoutFd);
  }
  onSpawned(child);
  status.haproxyStarted(child.pid);
  await writeFileAtomic(layout.pidFile, `${child.pid}\n`).catch(() => undefined);
  logger.info({ event: "haproxy.started", pid: child.pid, reason }, "HAProxy master started");
  const verdict = await waitUntilReady({
    socketPath: layout.masterSocket,
    timeoutMs: options.reloadTimeoutMs,
    isAlive: () => child.isAlive(),
    masterPid: child.pid,
  });
  if (verdict.ok) {
    status.workerConfirmed(verdict.workerPid, verdict.info.reloads);
    const durationMs = Math.round(performance.now() - started);
    logger.info(
      { event: "haproxy.ready", pid: child.pid, workerPid: verdict.workerPid, durationMs },
      "HAProxy is serving",
    );
  } else if (child.isAlive()) {
    logger.error(
      { event: "haproxy.not-ready", pid: child.pid, reason: verdict.reason },
      "HAProxy did not become ready",
    );
    child.signal("SIGKILL");
  }
  return { verdict, child };
}
