// The preamble of the certificate tests: one HTTP backend, the stand-in metadata with `metadata` in the
// proxy's own service, and a fixture (not started) whose map sends `names` to that backend over an HTTPS
// port of its own.
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { freePort, renderTestBackends, renderTestMap } from "../../../test-support/src/haproxy/index.ts";
import { startBackend, type Backend } from "../../../test-support/src/http/index.ts";
import {
  buildTree,
  startMetadataServer,
  type MetadataServer,
} from "../../../test-support/src/metadata/index.ts";
import { createFixture, type Fixture } from "./fixture.ts";
import { createTestCa } from "./make-test-certificates.ts";

// What createHttpsFixture made; the caller starts `fixture` (ENABLE_SSL, RANCHER_API_HOST: server.hostPort).
export interface HttpsFixture {
  fixture: Fixture;
  app: Backend;
  server: MetadataServer;
  httpsPort: number;
}

// The backend `app` on `host`, the metadata server and the fixture, each closed after the test.
export async function createHttpsFixture(
  t: { after: (fn: () => unknown) => void },
  options: { host: string; metadata: Record<string, unknown>; names: readonly string[] },
): Promise<HttpsFixture> {
  const app = await startBackend({ name: "app", host: options.host });
  t.after(() => app.close());
  const server = await startMetadataServer({
    tree: buildTree({ domainSelf: { metadata: options.metadata } }),
  });
  t.after(() => server.close());
  const httpsPort = await freePort();
  const fixture = await createFixture((fn) => t.after(fn), {
    backends: renderTestBackends([{ name: "app", servers: [{ address: app.address }] }]),
    map: renderTestMap(Object.fromEntries(options.names.map((name) => [name, "app"]))),
    args: ["--https-port", String(httpsPort)],
    deferStart: true,
  });
  return { fixture, app, server, httpsPort };
}

// createHttpsFixture for the certificate-directory tests: a test CA whose `default.test` certificate is
// the metadata default (the fallback), an empty SSL_CERT_DIR, and `start` with ENABLE_SSL, that
// directory and a 300 ms poll.
export async function createCertDirFixture(
  t: { after: (fn: () => unknown) => void },
  options: { host: string; names: readonly string[] },
) {
  const ca = createTestCa();
  t.after(() => ca.close());
  const fallback = ca.issue(["default.test"]);
  const made = await createHttpsFixture(t, {
    ...options,
    metadata: { ssl_cert: fallback.cert, ssl_key: fallback.key },
  });
  const certDir = join(made.fixture.dir, "certs");
  await mkdir(certDir);
  const start = () =>
    made.fixture.start([], {
      ENABLE_SSL: "true",
      RANCHER_API_HOST: made.server.hostPort,
      SSL_CERT_DIR: certDir,
      CERT_POLL_INTERVAL: "300ms",
    });
  return { ...made, ca, fallback, certDir, start };
}
