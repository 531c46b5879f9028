// Watch the three input files (chokidar, which follows atomic renames) and report each burst of
// changes once, after `debounceMs` of quiet, with the time its first event arrived.
import { watch } from "chokidar";
import type { Logger } from "@rancher-haproxy/core";

// A running watcher.
export interface InputWatcher {
  ready: Promise<void>;
  close(): Promise<void>;
}

// Call onChange(firstEventAt) after each quiet period following one or more events.
export function watchInputs(
  paths: readonly string[],
  debounceMs: number,
  onChange: (firstEventAt: number) => void,
  logger: Logger,
): InputWatcher {
  const watcher = watch([...paths], { ignoreInitial: true, persistent: true });
  let timer: NodeJS.Timeout | null = null;
  let firstEventAt: number | null = null;
  watcher.on("all", (event, path) => {
    logger.debug({ event: "inputs.event", kind: event, path }, "input file event");
    firstEventAt ??= performance.now();
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = null;
      const since = firstEventAt ?? performance.now();
      firstEventAt = null;
      onChange(since);
    }, debounceMs);
  });
  watcher.on("error", (error) =>
    logger.error({ event: "inputs.watch-error", err: String(error) }, "file watcher error"),
  );
  const ready = new Promise<void>((resolve) => watcher.once("ready", () => resolve()));
  return {
    ready,
    async close() {
      if (timer) clearTimeout(timer);
      await watcher.close();
    },
  };
}
