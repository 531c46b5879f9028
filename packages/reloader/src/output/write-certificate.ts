// Write the combined certificate + key PEM atomically, readable by its owner only.
import { mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import { writeFileAtomic } from "@rancher-haproxy/core";

// The PEM was validated before (buildCertificatePem): this only places it.
export async function writeCertificate(path: string, pem: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFileAtomic(path, pem, 0o600);
}
