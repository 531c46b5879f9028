// /config: the four files HAProxy runs with now (the `current` snapshot), with every credential masked.
// The TLS key is never read: the config only names the certificate file (`crt <path>`).
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { maskSecrets } from "../haproxy/find-offending-lines.js";
import {
  generationName,
  SNAPSHOT_BACKENDS,
  SNAPSHOT_BASE,
  SNAPSHOT_MAP,
  SNAPSHOT_PATH_HOSTS,
  type StateLayout,
} from "../output/snapshot-layout.js";
import { slotName } from "../model/server-slots.js";
import { readSlots } from "../sources/read-slots.js";
import { readCurrentGeneration } from "../sources/read-state-dir.js";

// The snapshot's file names, in the order HAProxy loads them (path-hosts.map: the hosts with a path key,
// rendered by the reloader from domain.map; empty for a snapshot written before it existed).
export const RUNNING_FILES = [SNAPSHOT_BASE, SNAPSHOT_BACKENDS, SNAPSHOT_MAP, SNAPSHOT_PATH_HOSTS] as const;

// One of the snapshot's file names.
export type RunningFile = (typeof RUNNING_FILES)[number];

// The running config: its generation, its directory and each file's (masked) text; `running` is false
// when no worker was confirmed with these files and they are `current`'s: the files HAProxy will start
// from, or, with an adopted master whose reload has not gone live, the ones it is being moved to.
export interface RunningConfig {
  generation: number;
  running: boolean;
  dir: string;
  files: Record<RunningFile, string>;
  /** backend → its server slots and the container (shared-file server name) each holds, null: free;
   * null for a snapshot without slots.json */
  slots: Record<string, { slot: string; server: string | null }[]> | null;
}

const PRIVATE_KEY = /-----BEGIN ([A-Z ]*)PRIVATE KEY-----[\s\S]*?(?:-----END \1PRIVATE KEY-----|$)/g;

// Reads snapshot `running` (the confirmed one), or the one `current` points at when nothing runs; one
// generation, so the files always belong together.
export async function readRunningConfig(
  layout: StateLayout,
  running: number | null,
): Promise<RunningConfig | null> {
  const generation = running ?? (await readCurrentGeneration(layout));
  if (generation === null) return null;
  return readSnapshotConfig(layout, generation, running !== null);
}

// Reads gen-<generation>'s files (masked) and slots; `running` is what the header will say. A gen-<n>/
// never changes once staged, so /config keeps the result while that generation runs (running-config-cache).
export async function readSnapshotConfig(
  layout: StateLayout,
  generation: number,
  running: boolean,
): Promise<RunningConfig | null> {
  const dir = join(layout.dir, generationName(generation));
  try {
    const [base, backends, map, pathHosts] = await Promise.all(
      RUNNING_FILES.map((name) =>
        readFile(join(dir, name), "utf8").catch((error: unknown) => {
          if (name === SNAPSHOT_PATH_HOSTS && (error as NodeJS.ErrnoException).code === "ENOENT") return "";
          throw error;
        }),
      ),
    );
    const assignment = await readSlots(dir);
    const slots: RunningConfig["slots"] = assignment && {};
    if (slots && assignment)
      for (const [backend, list] of assignment)
        slots[backend] = list.map((slot, index) => ({ slot: slotName(index), server: slot.server }));
    return {
      generation,
      running,
      dir,
      files: {
        [SNAPSHOT_BASE]: redactConfig(base ?? ""),
        [SNAPSHOT_BACKENDS]: redactConfig(backends ?? ""),
        [SNAPSHOT_MAP]: redactConfig(map ?? ""),
        [SNAPSHOT_PATH_HOSTS]: redactConfig(pathHosts ?? ""),
      },
      slots,
    };
  } catch {
    return null; // pruned between the link and the read: the caller answers 503
  }
}

// Masks `stats auth` / `insecure-password` values and any PEM private key block (a user config could hold one).
export function redactConfig(text: string): string {
  return maskSecrets(text).replace(PRIVATE_KEY, "[redacted private key]");
}

// The text answer: each file under a `# ==> <name> <==` line, like generate-maps --dry-run.
// `haproxyRuns`: a master with a worker serves, though not confirmed on `current` (an adopted one).
export function renderRunningConfig(config: RunningConfig, haproxyRuns = false): string {
  const state = config.running
    ? "running"
    : haproxyRuns
      ? "HAProxy runs a config not confirmed yet (an adopted master, its reload not live); current"
      : "HAProxy is not running; it starts from";
  const header = `# ${state}: ${generationName(config.generation)} (${config.dir})\n`;
  const body = (text: string) => (text === "" || text.endsWith("\n") ? text : `${text}\n`);
  const files = RUNNING_FILES.map((name) => `# ==> ${name} <==\n${body(config.files[name])}`).join("");
  return header + files + renderSlotTable(config.slots);
}

// `# ==> slots <==` and one `<backend> <slot> <container|->` line per slot.
function renderSlotTable(slots: RunningConfig["slots"]): string {
  if (slots === null) return "";
  const lines = Object.entries(slots).flatMap(([backend, list]) =>
    list.map(({ slot, server }) => `${backend} ${slot} ${server ?? "-"}\n`),
  );
  return `# ==> slots <==\n${lines.join("")}`;
}
