// "HAProxy runs what generate-maps wrote": the files on the shared volume pass a check, and the reloader's
// last applied snapshot (state/gen-<n>) holds exactly those bytes. The functional end of a change.
import { join } from "node:path";
import { readFile } from "node:fs/promises";
import { waitFor } from "../haproxy/wait-for.js";
import type { ReloaderProcess } from "../haproxy/spawn-reloader.js";
import type { LoggedChild } from "./logged-child.js";
import type { PairPaths } from "./pair-paths.js";

// The two generated files as read from the shared volume ("" when missing).
export interface GeneratedFiles {
  backends: string;
  map: string;
}

// The files HAProxy runs, and the snapshot generation holding them.
export interface AppliedFiles extends GeneratedFiles {
  generation: number;
}

// What the files must look like (default: anything).
export type ApplyCheck = (files: GeneratedFiles) => boolean;

// Reads both generated files.
export async function readGeneratedFiles(paths: PairPaths): Promise<GeneratedFiles> {
  const read = (path: string) => readFile(path, "utf8").catch(() => "");
  return { backends: await read(paths.backends), map: await read(paths.domainMap) };
}

// Waits until the files pass `check` and the last reload.applied is a snapshot of exactly those files.
export async function waitForApplied(
  processes: { generateMaps: LoggedChild; reloader: ReloaderProcess },
  paths: PairPaths,
  check: ApplyCheck = () => true,
  options: { timeoutMs: number },
): Promise<AppliedFiles> {
  let last = "nothing read yet";
  try {
    return await waitFor(
      async () => {
        const files = await readGeneratedFiles(paths);
        if (!check(files)) {
          last = `the files do not pass the check yet:\n${files.backends}\n${files.map}`;
          return null;
        }
        const applied = processes.reloader.logs.filter((line) => line.event === "reload.applied").at(-1);
        const generation = Number(applied?.["generation"]);
        if (!Number.isInteger(generation)) {
          last = "no reload.applied yet";
          return null;
        }
        const gen = join(paths.stateDir, `gen-${generation}`);
        const running = {
          backends: await readFile(join(gen, "backends.cfg"), "utf8"),
          map: await readFile(join(gen, "domain.map"), "utf8"),
        };
        if (running.backends !== files.backends || running.map !== files.map) {
          last = `gen-${generation} is not the current files yet`;
          return null;
        }
        return { ...files, generation };
      },
      { timeoutMs: options.timeoutMs, intervalMs: 20, message: "HAProxy to run the generated files" },
    );
  } catch (error) {
    throw new Error(`${(error as Error).message}; ${last}`, { cause: error });
  }
}
