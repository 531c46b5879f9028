// The last metadata certificate answer, kept in the private state dir (0600, like the PEMs made from
// it): a reloader started again while metadata is down used to plan without it, so it removed every
// `certs:` certificate from the crt-list and the adopted HAProxy served the default one for those sites
// until metadata came back. Now the first pass falls back to the answer the previous reloader read.
import { mkdir, readFile } from "node:fs/promises";
import { dirname } from "node:path";
import { writeFileAtomic } from "@rancher-haproxy/core";
import type { MetadataCerts } from "./read-metadata-certs.js";

// The answer at `path`: recalled once at start, remembered after each answer that differs.
export class LastMetadataCerts {
  private written: string | null = null;

  constructor(private readonly path: string) {}

  // The answer an earlier reloader kept; null when there is none or it is not one (never throws).
  async recall(): Promise<MetadataCerts | null> {
    try {
      const kept: unknown = JSON.parse(await readFile(this.path, "utf8"));
      if (typeof kept !== "object" || kept === null) return null;
      const record = kept as Record<string, unknown>;
      const text = (value: unknown) => (typeof value === "string" ? value : null);
      return {
        defaultCert: text(record["defaultCert"]),
        defaultKey: text(record["defaultKey"]),
        certs: record["certs"] ?? null,
      };
    } catch {
      return null;
    }
  }

  // Keep `answer` for the next reloader (written only when it changed); a failed write is only logged
  // by the caller's pass, the answer in memory still serves this one.
  async remember(answer: MetadataCerts): Promise<void> {
    const text = JSON.stringify(answer);
    if (text === this.written) return;
    await mkdir(dirname(this.path), { recursive: true, mode: 0o700 });
    await writeFileAtomic(this.path, text, 0o600);
    this.written = text;
  }
}
