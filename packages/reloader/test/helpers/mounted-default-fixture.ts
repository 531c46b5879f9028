// The kept-default tests' start: HAPROXY_SSL_CERT names a mounted file, metadata has no default
// certificate, and a real reloader serves that file's checked copy; how a broken edit is waited for, and
// the default certificate as /config and /metrics describe it.
import assert from "node:assert/strict";
import { metricValue, scrapeMetrics } from "../../../test-support/src/status/index.ts";
import { createHttpsFixture, type HttpsFixture } from "./https-fixture.ts";
import { mountedPem, type MountedPem } from "./mounted-pem.ts";

// What createMountedDefaultFixture made and started.
export interface MountedDefaultFixture extends HttpsFixture {
  mounted: MountedPem;
  statusUrl: string;
  /** makes the mounted file "not a certificate"; resolves once the default is skipped for it */
  breakMounted: () => Promise<void>;
}

// createHttpsFixture on `host` for `names`, started with ENABLE_SSL, HAPROXY_SSL_CERT a mountedPem
// holding `pem` (temp dir `prefix`) and a 300 ms poll; resolves once its status listener is up.
export async function createMountedDefaultFixture(
  t: { after: (fn: () => unknown) => void },
  options: { host: string; names: readonly string[]; prefix: string; pem: string },
): Promise<MountedDefaultFixture> {
  const mounted = await mountedPem(t, options.prefix, options.pem);
  const made = await createHttpsFixture(t, { host: options.host, metadata: {}, names: options.names });
  const { fixture } = made;
  await fixture.start([], {
    ENABLE_SSL: "true",
    RANCHER_API_HOST: made.server.hostPort,
    HAPROXY_SSL_CERT: mounted.path,
    CERT_POLL_INTERVAL: "300ms",
  });
  const statusUrl = String((await fixture.reloader.waitForEvent("status.listening"))["url"]);
  const breakMounted = async () => {
    const broken = fixture.reloader.logs.length;
    await mounted.replace("not a certificate\n");
    await fixture.reloader.waitForEvent("certs.skipped", {
      from: broken,
      match: (line) => line["certificate"] === "default",
    });
  };
  return { ...made, mounted, statusUrl, breakMounted };
}

// The default certificate's row of /config's `certificates.served` (the fields the tests read).
export interface ServedDefault {
  name: string;
  names: string[];
  fingerprint: string;
  notAfter: string;
  chainNotAfter?: string;
  daysLeft: number;
}

// The default certificate as /config (its served row, asserted present) and /metrics (its expiry days)
// describe it.
export async function describedDefault(
  statusUrl: string,
): Promise<{ served: ServedDefault; metric: number | undefined }> {
  const config = (await (await fetch(`${statusUrl}/config?format=json`)).json()) as {
    certificates: { served: ServedDefault[] };
  };
  const served = config.certificates.served.find((cert) => cert.name === "default");
  assert.ok(served, JSON.stringify(config.certificates));
  const metric = metricValue(await scrapeMetrics(statusUrl), "reloader_certificate_expiry_days", {
    name: "default",
  });
  return { served, metric };
}
