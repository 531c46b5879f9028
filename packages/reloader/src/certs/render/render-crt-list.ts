// The crt-list HAProxy's HTTPS bind loads: one certificate file per line (HAProxy selects by the
// CN and SANs inside each file); pure, same files → same bytes.
import { join } from "node:path";

// A path HAProxy's crt-list and runtime-API lines take as one word (no quoting exists there).
export const PLAIN_PATH = /^[A-Za-z0-9._/@:,+-]+$/;

// Where the certificates live inside the private state dir.
export interface CertificatePaths {
  dir: string;
  crtList: string;
  /** the last metadata certificate answer (last-metadata-certs.ts) */
  lastMetadata: string;
}

// <state>/certs, <state>/certs/crt-list and <state>/certs/last-metadata.json.
export function certificatePaths(stateDir: string): CertificatePaths {
  const dir = join(stateDir, "certs");
  return { dir, crtList: join(dir, "crt-list"), lastMetadata: join(dir, "last-metadata.json") };
}

// One line per file, in the given order (the plan's stable order).
export function renderCrtList(files: readonly string[]): string {
  const header = "# rendered by the rancher-haproxy reloader: one certificate (chain + key) per line\n";
  return header + files.map((file) => `${file}\n`).join("");
}
