// "HAProxy runs what generate-maps wrote": the files on the shared volume pass a check, and the reloader's
// last applied snapshot (state/gen-<n>) holds exactly those bytes. The functional end of a change.
import { join } from "node:path";
import { access, readFile } from "node:fs/promises";
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

/** the log events that say a snapshot went live: a confirmed reload, or runtime steps read back */
export const APPLIED_EVENTS: readonly string[] = ["reload.applied", "runtime.applied"];

// Waits until the files pass `check` and the last reload.applied (or runtime.applied) is a snapshot of
// exactly those files (the shared files' copies in gen-<n>/inputs/, or gen-<n>/ for an older reloader).
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
        const applied = processes.reloader.logs
          .filter((line) => APPLIED_EVENTS.includes(String(line.event)))
          .at(-1);
        const generation = Number(applied?.["generation"]);
        if (!Number.isInteger(generation)) {
          last = "no reload.applied or runtime.applied yet";
          return null;
        }
        const gen = join(paths.stateDir, `gen-${generation}`);
        const inputs = join(gen, "inputs");
        const copies = await access(inputs).then(
          () => true,
          () => false,
        );
        const running = {
          backends: await readFile(
            join(copies ? inputs : gen, copies ? "haproxy-backends.cfg" : "backends.cfg"),
            "utf8",
          ),
          map: await readFile(join(copies ? inputs : gen, "domain.map"), "utf8"),
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
