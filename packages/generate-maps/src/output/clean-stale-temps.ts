// At the first writing cycle: removes the temp files a generator killed mid-write (kill -9, power loss)
// left next to its two outputs, so they never pile up in the shared volume. Only this program's own
// temp names for these two files are touched (core's `.<name>.<pid>.<hex>.tmp`), and only those
// STALE_TEMP_AGE_MS old: a start-before-stop upgrade starts this generator while the old one still
// writes, and removing its staged temp failed its rename (ENOENT). Younger ones wait for a later cycle.
import { removeOldTemps, type Logger } from "@rancher-haproxy/core";
import type { OutputFiles } from "./write-outputs.js";

// How old a temp file must be to be taken for a killed writer's: a write stages and renames its temps
// within seconds; minutes leave room for a slow volume and a file server's clock a little off.
export const STALE_TEMP_AGE_MS = 10 * 60 * 1000;

// Removes and logs (temp-removed) the stale temp files of both outputs; a failure is logged, not thrown.
// False while a temp was too young to tell from a running generator's (the caller tries again later).
export async function cleanStaleTemps(files: OutputFiles, logger: Logger): Promise<boolean> {
  let done = true;
  for (const { path } of [files.backends, files.map]) {
    try {
      const { removed, young } = await removeOldTemps(path, STALE_TEMP_AGE_MS);
      for (const name of removed)
        logger.info(
          { event: "temp-removed", path, file: name },
          `removed ${name}, left by an interrupted write`,
        );
      if (young > 0) done = false;
    } catch (error) {
      logger.warn(
        { event: "temp-cleanup-failed", path, error: String(error) },
        `cannot clean temp files of ${path}`,
      );
    }
  }
  return done;
}
