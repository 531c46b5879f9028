// The default certificate file HAProxy serves before the certificate manager's first pass (written by an
// earlier run, in the state dir): counted as loaded, so the first pass writes only what differs from it
// and plans against the PEM HAProxy serves (a refused default with the same chain is served all the same).
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import type { CertificateFiles } from "../model/plan-certificate-commands.js";

// The loaded set with the file at `certPath` as its one entry; null when it cannot be read.
export async function readServedDefault(certPath: string): Promise<CertificateFiles | null> {
  const onDisk = await readFile(certPath, "utf8").catch(() => null);
  if (onDisk === null) return null;
  return new Map([[certPath, { digest: digest(onDisk), pem: onDisk }]]);
}

// A PEM's sha256, as the loaded set keeps it.
function digest(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}
