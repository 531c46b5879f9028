// The certificate manager for the reloader's options (ENABLE_SSL): paths inside the private state dir,
// the default certificate kept in step with HAPROXY_SSL_CERT when it is set, else with metadata.
import { join } from "node:path";
import type { Logger, MetadataClient } from "@rancher-haproxy/core";
import type { ReloaderOptions } from "../options/reloader-options.js";
import type { StateLayout } from "../output/snapshot-layout.js";
import { StartupError } from "../startup-error.js";
import { CertificateManager } from "./certificate-manager.js";
import { certificatePaths, PLAIN_PATH } from "./render/render-crt-list.js";
import { HaproxyCertificateVerifier } from "./verify-with-haproxy.js";

// A manager, not started yet; throws a StartupError when the state dir cannot be named in a crt-list.
// `verifier`: the one that judged the default certificate at start (its verdict is not asked again).
export function createCertificateManager(
  options: ReloaderOptions,
  layout: StateLayout,
  client: MetadataClient,
  logger: Logger,
  verifier = certificateVerifier(options, layout),
): CertificateManager {
  if (!PLAIN_PATH.test(layout.dir))
    throw new StartupError(
      `ENABLE_SSL=true needs a RELOADER_STATE_DIR of letters, digits and ._/@:+- only (a crt-list and ` +
        `the runtime API cannot quote a path): ${JSON.stringify(layout.dir)}`,
    );
  return new CertificateManager({
    ssl: options.ssl,
    paths: certificatePaths(layout.dir),
    masterSocket: layout.masterSocket,
    client,
    logger,
    manageDefault: options.ssl.certFile === null,
    verifier,
  });
}

// HAProxy's own check of certificates, in a scratch dir inside the private state dir.
export function certificateVerifier(
  options: ReloaderOptions,
  layout: StateLayout,
): HaproxyCertificateVerifier {
  return new HaproxyCertificateVerifier(options.haproxyBin, join(layout.dir, "certificate-check"));
}
