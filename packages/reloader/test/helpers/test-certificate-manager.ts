// A certificate manager for unit tests: TLS on, on state dir `dir`, no SSL_CERT_DIR, no polling and no
// HAProxy to talk to (its master socket does not exist); `now` stands in for the clock.
import { join } from "node:path";
import type { Logger, MetadataClient } from "@rancher-haproxy/core";
import { CertificateManager } from "../../src/certs/certificate-manager.ts";
import { certificatePaths } from "../../src/certs/render/render-crt-list.ts";

// The manager; metadata answers through `client`, its lines go to `logger`.
export function testCertificateManager(
  dir: string,
  client: MetadataClient,
  logger: Logger,
  now?: () => number,
): CertificateManager {
  const ssl = {
    enabled: true,
    port: 443,
    certPath: join(dir, "server.pem"),
    certFile: null,
    base64Encoded: false,
    redirect: null,
    certDir: null,
    strictSni: false,
    pollIntervalMs: 0,
    names: { enabled: "ENABLE_SSL=true", certFile: "HAPROXY_SSL_CERT" },
  };
  return new CertificateManager({
    ssl,
    paths: certificatePaths(dir),
    masterSocket: join(dir, "no.sock"),
    client,
    logger,
    manageDefault: true,
    ...(now ? { now } : {}),
  });
}
