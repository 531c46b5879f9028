// Every certificate source in one pass: the proxy service's metadata (a failure keeps the last answer
// and is reported), SSL_CERT_DIR and HAPROXY_SSL_CERT (when set).
import type { MetadataClient } from "@rancher-haproxy/core";
import type { SslOptions } from "../../options/reloader-options.js";
import { MAX_CERT_FILE_BYTES, readCertDir, readCertFile, type CertDirFiles } from "./read-cert-dir.js";
import { readMetadataCerts, type MetadataCerts } from "./read-metadata-certs.js";

// What was read, and what could not be.
export interface CertificateSourcesRead {
  metadata: MetadataCerts | null;
  directory: CertDirFiles | null;
  /** HAPROXY_SSL_CERT's text, or why it was not read; null when it is not set */
  defaultFile: DefaultFileRead | null;
  problem: string | null;
}

// The mounted default certificate file as read.
export interface DefaultFileRead {
  path: string;
  /** how messages name its option: `--ssl-cert` or HAPROXY_SSL_CERT (SslOptions.names) */
  name: string;
  read: string | { reason: string };
}

// Read metadata (falling back to `last`; `signal` cuts a read in flight), the directory and the mounted
// default file; never throws.
export async function readCertificateSources(
  client: MetadataClient,
  files: Pick<SslOptions, "certDir" | "certFile" | "names">,
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
  const { certDir, certFile } = files;
  const directory = certDir === null ? null : await readCertDir(certDir);
  // Chain and key in one file: up to twice a certificate file (as the start reads it).
  const defaultFile =
    certFile === null
      ? null
      : {
          path: certFile,
          name: files.names.certFile,
          read: await readCertFile(certFile, 2 * MAX_CERT_FILE_BYTES),
        };
  return { metadata, directory, defaultFile, problem };
}
