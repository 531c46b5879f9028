// Everything HAProxy needs before its first start, in order: the syslog target, the certificates, the base
// config rendered into the state dir, the shared input files. A stop during the metadata reads abandons
// the start (abortable-step.ts): nothing runs yet.
import { createMetadataClient, type Logger } from "@rancher-haproxy/core";
import type { CertificateManager } from "../certs/certificate-manager.js";
import { certificateVerifier, createCertificateManager } from "../certs/create-certificate-manager.js";
import type { ReloaderOptions } from "../options/reloader-options.js";
import { ensureInputFiles } from "../output/ensure-input-files.js";
import type { StateLayout } from "../output/snapshot-layout.js";
import { abortableStep } from "./abortable-step.js";
import { prepareBaseConfig } from "./prepare-base-config.js";
import { prepareCertificate } from "./prepare-certificate.js";
import { resolveRunAs } from "./resolve-run-as.js";
import { resolveSyslogTarget } from "./resolve-syslog-target.js";

// Prepares the start and returns the certificate manager (ENABLE_SSL), prepared, or null without TLS;
// throws StartupError (unusable configuration) or StartStoppedError (`stop`).
export async function prepareStart(
  options: ReloaderOptions,
  layout: StateLayout,
  logger: Logger,
  stop: AbortSignal | undefined,
): Promise<CertificateManager | null> {
  const metadata = createMetadataClient({
    apiHost: options.rancherApiHost,
    apiVersion: options.rancherApiVersion,
  });
  const log = await abortableStep(
    resolveSyslogTarget(options.syslogHost, metadata, logger),
    stop,
    "syslog target",
  );
  // One verifier: the manager's first pass does not load the default certificate judged here again.
  const verifier = certificateVerifier(options, layout);
  if (options.ssl.enabled) {
    const judge = (pem: string) => verifier.refusal(pem);
    await abortableStep(prepareCertificate(options.ssl, metadata, logger, judge), stop, "certificate");
  }
  // Every certificate (default, metadata certs, SSL_CERT_DIR) checked and written before HAProxy starts.
  const certificates = options.ssl.enabled
    ? createCertificateManager(options, layout, metadata, logger, verifier)
    : null;
  if (certificates) await abortableStep(certificates.prepare(), stop, "certificates");
  await prepareBaseConfig(options, log, resolveRunAs(logger), layout, logger);
  const created = await ensureInputFiles([options.backendConfig, options.domainMap]);
  if (created.length > 0)
    logger.info({ event: "inputs.created", paths: created }, "created empty input files");
  return certificates;
}
