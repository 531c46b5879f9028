// The certificate metrics on the reloader's registry, computed at scrape time: days left per served
// certificate, the skipped ones, and updates by mode (runtime API, reload, failed).
import { Counter, Gauge, type Registry } from "prom-client";
import type { CertificateSource } from "./with-certificate-routes.js";

// Register the gauges and counter on `registry`.
export function registerCertificateMetrics(registry: Registry, certificates: CertificateSource): void {
  const registers = [registry];
  new Gauge({
    name: "reloader_certificate_expiry_days",
    help: "Days until each served certificate expires (a warning under 14)",
    labelNames: ["name"],
    registers,
    collect() {
      this.reset();
      for (const cert of certificates.snapshot().served) this.set({ name: cert.name }, cert.daysLeft);
    },
  });
  new Gauge({
    name: "reloader_certificates_served",
    help: "Certificates HAProxy serves (the default one included)",
    registers,
    collect() {
      this.set(certificates.snapshot().served.length);
    },
  });
  new Gauge({
    name: "reloader_certificates_skipped",
    help: "Certificates refused by the checks (parse, key, chain, validity, name, size); see /healthz",
    registers,
    collect() {
      this.set(certificates.snapshot().skipped.length);
    },
  });
  new Counter({
    name: "reloader_certificate_updates_total",
    help: "Certificate changes applied, by mode: runtime (no reload), reload (fallback), failed",
    labelNames: ["mode"],
    registers,
    collect() {
      const { updates } = certificates.snapshot();
      this.reset();
      for (const [mode, count] of Object.entries(updates)) this.inc({ mode }, count);
    },
  });
}
