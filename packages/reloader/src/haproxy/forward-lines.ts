// HAProxy's output, line by line (its stdout/stderr pipes, or the state dir's stdout FIFO).
import { createInterface } from "node:readline";
import type { Readable } from "node:stream";

// Calls onLine for each non-blank line of `stream`. readline re-emits its input's errors: without a
// listener of its own, one (EIO on the FIFO) was an uncaught exception despite the stream's handler.
export function forwardLines(stream: Readable, onLine: (line: string) => void): void {
  createInterface({ input: stream, crlfDelay: Infinity })
    .on("line", (line) => {
      if (line.trim() !== "") onLine(line);
    })
    .on("error", () => undefined);
}
