// Everything HAProxy needs before its first start, in order: the syslog target, the certificates, the base
// config rendered into the state dir, the shared input files. A stop during the metadata reads abandons
// the start (abortable-step.ts): nothing runs yet.
import { createMetadataClient, type Logger, type MetadataClient } from "@rancher-haproxy/core";
import type { CertificateManager } from "../certs/certificate-manager.js";
import type { ReadSections } from "../model/clashing-sections.js";
import type { HaproxySelf } from "../model/haproxy-build.js";
import type { ReloaderOptions } from "../options/reloader-options.js";
import { ensureInputFiles } from "../output/ensure-input-files.js";
import type { StateLayout } from "../output/snapshot-layout.js";
import { abortableStep } from "./abortable-step.js";
import { prepareBaseConfig } from "./prepare-base-config.js";
import { resolveRunAs } from "./resolve-run-as.js";
import { resolveSyslogTarget } from "./resolve-syslog-target.js";

// What the start prepared: the certificate manager (ENABLE_SSL), prepared, or null without TLS; the
// --config's sections read at start with the bytes written to the state dir (null: a rendered config).
export interface PreparedStart {
  certificates: CertificateManager | null;
  baseSections: ReadSections | null;
}

// Prepares the start; throws StartupError (unusable configuration) or StartStoppedError (`stop`).
export async function prepareStart(
  options: ReloaderOptions,
  layout: StateLayout,
  logger: Logger,
  stop: AbortSignal | undefined,
  self: HaproxySelf,
): Promise<PreparedStart> {
  const metadata = createMetadataClient({
    apiHost: options.rancherApiHost,
    apiVersion: options.rancherApiVersion,
  });
  const log = await abortableStep(
    resolveSyslogTarget(options.syslogHost, metadata, logger),
    stop,
    "syslog target",
  );
  const certificates = options.ssl.enabled
    ? await prepareCertificates(options, layout, metadata, logger, stop)
    : null;
  const baseSections = await prepareBaseConfig(options, log, resolveRunAs(logger), layout, logger, self);
  const created = await ensureInputFiles([options.backendConfig, options.domainMap]);
  if (created.length > 0)
    logger.info({ event: "inputs.created", paths: created }, "created empty input files");
  return { certificates, baseSections };
}

// The certificates of ENABLE_SSL, prepared. Their code (≈ 25 modules) is loaded only here: a start
// without TLS never runs it.
async function prepareCertificates(
  options: ReloaderOptions,
  layout: StateLayout,
  metadata: MetadataClient,
  logger: Logger,
  stop: AbortSignal | undefined,
): Promise<CertificateManager> {
  const { certificateVerifier, createCertificateManager } =
    await import("../certs/create-certificate-manager.js");
  const { prepareCertificate } = await import("./prepare-certificate.js");
  // One verifier: the manager's first pass does not load the default certificate judged here again.
  const verifier = certificateVerifier(options, layout);
  const judge = (pem: string) => verifier.refusal(pem);
  await abortableStep(prepareCertificate(options.ssl, metadata, logger, judge), stop, "certificate");
  // Every certificate (default, metadata certs, SSL_CERT_DIR) checked and written before HAProxy starts.
  const certificates = createCertificateManager(options, layout, metadata, logger, verifier);
  await abortableStep(certificates.prepare(), stop, "certificates");
  return certificates;
}
