// Both certificate sources in one pass: the proxy service's metadata (a failure keeps the last answer
// and is reported) and SSL_CERT_DIR (when set).
import type { MetadataClient } from "@rancher-haproxy/core";
import { readCertDir, type CertDirFiles } from "./read-cert-dir.js";
import { readMetadataCerts, type MetadataCerts } from "./read-metadata-certs.js";

// What was read, and what could not be.
export interface CertificateSourcesRead {
  metadata: MetadataCerts | null;
  directory: CertDirFiles | null;
  problem: string | null;
}

// Read metadata (falling back to `last`; `signal` cuts a read in flight) and the directory; never throws.
export async function readCertificateSources(
  client: MetadataClient,
  certDir: string | null,
  last: MetadataCerts | null,
  signal?: AbortSignal,
): Promise<CertificateSourcesRead> {
  let metadata = last;
  let problem: string | null = null;
  try {
    metadata = await readMetadataCerts(client, signal);
  } catch (error) {
    problem = `metadata cannot be read (${String(error).slice(0, 200)}): keeping the last certificates`;
  }
  const directory = certDir === null ? null : await readCertDir(certDir);
  return { metadata, directory, problem };
}
