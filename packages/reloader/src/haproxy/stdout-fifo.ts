// HAProxy's stdout as a FIFO in the private state dir instead of a pipe to this process. A pipe's reader
// dies with the reloader, so after a reloader restart (SIGKILL, a crash) HAProxy's access logs with
// SYSLOG_HOST=stdout went nowhere until HAProxy itself restarted; the FIFO is opened again by the next
// reloader, which goes on logging them (haproxy.output). HAProxy writes to it non-blocking: a reader that
// falls behind loses lines, it never holds up a worker. Its stderr stays a pipe (start-up alerts).
import { execa } from "execa";
import { closeSync, constants, openSync } from "node:fs";
import { lstat, rm } from "node:fs/promises";
import { Socket } from "node:net";
import type { Logger } from "@rancher-haproxy/core";
import { forwardLines } from "./forward-lines.js";

// The open FIFO: a write end for each HAProxy start, and the reader's close.
export interface StdoutFifo {
  /**
   * a new non-blocking write end for a child's stdout, which the caller closes once the child is spawned;
   * undefined once the reader failed (the child's stdout is then a pipe, HAProxy still starts)
   */
  openWriteEnd(): number | undefined;
  close(): void;
}

// Creates (or reuses) the FIFO at `path`, and reads it line by line into `onLine` from now on. Null when
// it cannot be made (no mkfifo, a filesystem without FIFOs): HAProxy's stdout is then a pipe, as before.
export async function openStdoutFifo(
  path: string,
  onLine: (line: string) => void,
  logger: Logger,
): Promise<StdoutFifo | null> {
  try {
    const info = await lstat(path).catch(() => null);
    if (info && !info.isFIFO()) await rm(path, { recursive: true, force: true });
    if (!info?.isFIFO()) await execa("mkfifo", ["-m", "600", path]);
    // Read and write: the reader never sees an end of file between two HAProxy processes.
    const fd = openSync(path, constants.O_RDWR | constants.O_NONBLOCK);
    const socket = new Socket({ fd, readable: true, writable: false });
    let usable = true;
    socket.on("error", (error) => {
      usable = false;
      logger.warn(
        { event: "haproxy.stdout-error", err: String(error) },
        "reading HAProxy's stdout failed: the next HAProxy start gets a pipe",
      );
    });
    forwardLines(socket, onLine);
    return {
      openWriteEnd: () => {
        if (!usable) return undefined;
        try {
          return openSync(path, constants.O_WRONLY | constants.O_NONBLOCK);
        } catch {
          return undefined; // no reader (ENXIO): a pipe instead
        }
      },
      close: () => socket.destroy(),
    };
  } catch (error) {
    logger.warn(
      { event: "haproxy.stdout-pipe", path, err: String(error) },
      "cannot use a FIFO for HAProxy's stdout: a pipe it is (lost after a reloader restart)",
    );
    return null;
  }
}

// Closes a write end handed to a child (ignoring one already closed).
export function closeWriteEnd(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // already closed
  }
}
