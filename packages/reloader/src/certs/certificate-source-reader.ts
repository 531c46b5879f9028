// Reading the certificate sources pass after pass: a metadata failure keeps the last answer, and until
// metadata answers, a reloader started again falls back to the answer the last one read (kept in the
// private state dir, sources/last-metadata-certs.ts).
import type { Logger, MetadataClient } from "@rancher-haproxy/core";
import type { SslOptions } from "../options/reloader-options.js";
import { LastMetadataCerts } from "./sources/last-metadata-certs.js";
import { readCertificateSources, type CertificateSourcesRead } from "./sources/read-certificate-sources.js";
import type { MetadataCerts } from "./sources/read-metadata-certs.js";

// The sources of `ssl` with the last metadata answer, in memory and at `lastMetadataPath`.
export class CertificateSourceReader {
  private metadata: MetadataCerts | null = null;
  private readonly lastAnswer: LastMetadataCerts;

  constructor(
    private readonly client: MetadataClient,
    private readonly ssl: SslOptions,
    private readonly logger: Logger,
    lastMetadataPath: string,
  ) {
    this.lastAnswer = new LastMetadataCerts(lastMetadataPath);
  }

  // One pass's read (never throws); null when `signal` aborted during it (a stop): nothing is kept.
  async read(signal: AbortSignal): Promise<CertificateSourcesRead | null> {
    this.metadata ??= await this.lastAnswer.recall();
    const read = await readCertificateSources(this.client, this.ssl, this.metadata, signal);
    if (signal.aborted) return null;
    if (read.problem === null && read.metadata !== null)
      await this.lastAnswer
        .remember(read.metadata)
        .catch((error: unknown) =>
          this.logger.warn(
            { event: "certs.last-metadata-unwritten", err: String(error) },
            "cannot keep the metadata certificates for a restart",
          ),
        );
    this.metadata = read.metadata;
    return read;
  }
}
