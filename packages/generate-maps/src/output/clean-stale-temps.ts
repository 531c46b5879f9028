// At the first writing cycle: removes the temp files a generator killed mid-write (kill -9, power loss)
// left next to its two outputs, so they never pile up in the shared volume. Only this program's own
// temp names for these two files are touched (core's `.<name>.<pid>.<hex>.tmp`).
import { removeStaleTemps, type Logger } from "@rancher-haproxy/core";
import type { OutputFiles } from "./write-outputs.js";

// Removes and logs (temp-removed) the stale temp files of both outputs; a failure is logged, not thrown.
export async function cleanStaleTemps(files: OutputFiles, logger: Logger): Promise<void> {
  for (const { path } of [files.backends, files.map]) {
    try {
      for (const name of await removeStaleTemps(path))
        logger.info(
          { event: "temp-removed", path, file: name },
          `removed ${name}, left by an interrupted write`,
        );
    } catch (error) {
      logger.warn(
        { event: "temp-cleanup-failed", path, error: String(error) },
        `cannot clean temp files of ${path}`,
      );
    }
  }
}
