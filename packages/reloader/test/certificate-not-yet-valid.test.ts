// docs/tls.md: a certificate is applied within one poll interval once it passes the checks, among them
// "valid now (not yet valid: refused)". Before, a refusal was reused for 10 minutes (the check cache), so
// a certificate issued with a notBefore seconds ahead of this host's clock (a CA that dates it "now", a
// little clock skew) stayed refused, and its name on the default certificate, for 10 minutes after it
// became valid. A real reloader and HAProxy on 127.0.0.1, certificates made by openssl.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { waitFor } from "../../test-support/src/haproxy/index.ts";
import { createCertDirFixture } from "./helpers/https-fixture.ts";
import { utc } from "./helpers/make-test-certificates.ts";
import { tlsHandshake } from "./helpers/tls-clients.ts";

/** how far ahead the new certificate's notBefore is when it is written */
const AHEAD_MS = 5_000;

test("a certificate refused as not valid yet is served once its notBefore passes, not 10 minutes later", async (t) => {
  const { ca, fixture, httpsPort, certDir, start } = await createCertDirFixture(t, {
    host: "127.0.0.139",
    names: ["soon.test"],
  });
  await start();
  // Made once the reloader runs, so a slow start does not use up the time ahead.
  const soon = ca.issue(["soon.test"], {
    start: utc(Date.now() + AHEAD_MS),
    end: utc(Date.now() + 20 * 86_400_000),
  });
  await writeFile(join(certDir, "soon.pem"), soon.cert + soon.key);
  await fixture.reloader.waitForEvent("certs.skipped", {
    timeoutMs: 15_000,
    match: (line) => line["certificate"] === "dir/soon" && /is not valid before/.test(String(line["reason"])),
  });
  await waitFor(async () => (await tlsHandshake(httpsPort, "soon.test")).serial === soon.serial, {
    timeoutMs: AHEAD_MS + 30_000,
    message: "soon.test served its own certificate once it became valid",
  });
});
