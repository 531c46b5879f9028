// A logger whose JSON lines are kept in memory, for tests that read the events a function logs.
import { Writable } from "node:stream";
import { createLogger, type Logger } from "@rancher-haproxy/core";

// The logger, and the lines it wrote so far: as written (`lines`, to measure them) and parsed.
export function captureLog(level: "debug" | "info" = "info"): {
  logger: Logger;
  lines: () => string[];
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
  const lines = () =>
    chunks
      .join("")
      .split("\n")
      .filter((line) => line !== "");
  const events = () => lines().map((line) => JSON.parse(line) as Record<string, unknown>);
  return { logger, lines, events };
}
