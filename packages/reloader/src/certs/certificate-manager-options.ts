// What the certificate manager is built from (certificate-manager.ts, create-certificate-manager.ts).
import type { Logger, MetadataClient } from "@rancher-haproxy/core";
import type { SslOptions } from "../options/reloader-options.js";
import type { CertificatePlan } from "./model/plan-certificates.js";
import type { CertificatePaths } from "./render/render-crt-list.js";

// What the manager needs.
export interface CertificateManagerOptions {
  ssl: SslOptions;
  paths: CertificatePaths;
  masterSocket: string;
  client: MetadataClient;
  logger: Logger;
  /** the default certificate is built from metadata (HAPROXY_SSL_CERT unset) */
  manageDefault: boolean;
  /** HAProxy's own check of new certificates (verify-with-haproxy.ts); none: node's checks only */
  verifier?: { verify(plan: CertificatePlan): Promise<CertificatePlan> };
  now?: () => number;
}
