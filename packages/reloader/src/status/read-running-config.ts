// /config: the three files HAProxy runs with now (the `current` snapshot), with every credential masked.
// The TLS key is never read: the config only names the certificate file (`crt <path>`).
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { maskSecrets } from "../haproxy/find-offending-lines.js";
import {
  generationName,
  SNAPSHOT_BACKENDS,
  SNAPSHOT_BASE,
  SNAPSHOT_MAP,
  type StateLayout,
} from "../output/snapshot-layout.js";
import { readCurrentGeneration } from "../sources/read-state-dir.js";

// The snapshot's file names, in the order HAProxy loads them.
export const RUNNING_FILES = [SNAPSHOT_BASE, SNAPSHOT_BACKENDS, SNAPSHOT_MAP] as const;

// The running config: its generation, its directory and each file's (masked) text.
export interface RunningConfig {
  generation: number;
  dir: string;
  files: Record<(typeof RUNNING_FILES)[number], string>;
}

const PRIVATE_KEY = /-----BEGIN ([A-Z ]*)PRIVATE KEY-----[\s\S]*?(?:-----END \1PRIVATE KEY-----|$)/g;

// Reads the generation `current` points at (resolved once, so the three files are one snapshot).
export async function readRunningConfig(layout: StateLayout): Promise<RunningConfig | null> {
  const generation = await readCurrentGeneration(layout);
  if (generation === null) return null;
  const dir = join(layout.dir, generationName(generation));
  try {
    const [base, backends, map] = await Promise.all(
      RUNNING_FILES.map((name) => readFile(join(dir, name), "utf8")),
    );
    return {
      generation,
      dir,
      files: {
        [SNAPSHOT_BASE]: redactConfig(base ?? ""),
        [SNAPSHOT_BACKENDS]: redactConfig(backends ?? ""),
        [SNAPSHOT_MAP]: redactConfig(map ?? ""),
      },
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
export function renderRunningConfig(config: RunningConfig): string {
  const header = `# running: ${generationName(config.generation)} (${config.dir})\n`;
  const body = (text: string) => (text === "" || text.endsWith("\n") ? text : `${text}\n`);
  return header + RUNNING_FILES.map((name) => `# ==> ${name} <==\n${body(config.files[name])}`).join("");
}
