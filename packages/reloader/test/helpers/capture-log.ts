// A logger whose JSON lines are kept in memory, for tests that read the events a function logs.
import { Writable } from "node:stream";
import { createLogger, type Logger } from "@rancher-haproxy/core";

// The logger, and the lines it wrote so far, parsed.
export function captureLog(level: "debug" | "info" = "info"): {
  logger: Logger;
  events: () => Record<string, unknown>[];
} {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString("utf8"));
      done();
    },
  });
  const logger = createLogger({ name: "reloader", level, format: "json", destination });
  const events = () =>
    chunks
      .join("")
      .split("\n")
      .filter((line) => line !== "")
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { logger, events };
}
