// The `hsts` option on every HTTPS answer of its backend, HAProxy's own included: the 503 of a held
// backend with no server (a redeploy) or of one whose server refuses connections. Until 2026-12-04 the
// header was an `http-response` rule, which only server answers pass through, so those 503s had none.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { test } from "node:test";
import { renderBackends } from "@rancher-haproxy/core";
import { renderTestMap } from "../../test-support/src/haproxy/index.ts";
import { httpRequest } from "../../test-support/src/http/index.ts";
import { createHttpsFixture } from "./helpers/https-fixture.ts";
import { recordedCertificate } from "./helpers/test-certificate.ts";

const CERT = recordedCertificate();
const HSTS = "max-age=600";

// The backends file as the generator writes it today, or as one from before 2026-12-04 did (read as the
// same option and served in today's form).
const FORMS = {
  today: (text: string) => text,
  "older generator": (text: string) =>
    text.replaceAll("http-after-response set-header", "http-response set-header"),
};

for (const [form, write] of Object.entries(FORMS))
  test(`hsts is sent on HAProxy's own HTTPS answers of the backend (503 without a server), never over plain HTTP (${form})`, async (t) => {
    const names = ["secure.dev.tld", "held.dev.tld", "refused.dev.tld", "redirect.dev.tld"];
    const { fixture, app, server, httpsPort } = await createHttpsFixture(t, {
      host: "127.0.0.103",
      metadata: { ssl_cert: CERT.cert, ssl_key: CERT.key },
      names,
    });
    const colon = app.address.lastIndexOf(":");
    const host = app.address.slice(0, colon);
    const live = { name: "s1", address: host, port: Number(app.address.slice(colon + 1)) };
    await fixture.write({
      backends: write(
        renderBackends({
          backends: [
            { name: "secure", servers: [live], options: { hsts: 600 } },
            { name: "held", servers: [], options: { https: "only", hsts: 600 } },
            // port 9 (discard) on loopback: nothing listens, the connection is refused
            { name: "refused", servers: [{ name: "s1", address: host, port: 9 }], options: { hsts: 600 } },
            { name: "redirect", servers: [live], options: { https: "redirect", hsts: 600 } },
          ],
        }),
      ),
      map: renderTestMap(Object.fromEntries(names.map((name) => [name, name.split(".")[0] ?? ""]))),
    });
    await fixture.start([], { ENABLE_SSL: "true", RANCHER_API_HOST: server.hostPort });
    assert.match(
      await readFile(fixture.backendConfig, "utf8"),
      form === "today" ? /http-after-response/ : /http-response/,
    );

    const https = (name: string) => httpRequest({ url: `https://127.0.0.1:${httpsPort}/`, host: name });
    const seen: Record<string, [number, unknown]> = {};
    for (const name of names) {
      const answer = await https(name);
      seen[name] = [answer.status, answer.headers["strict-transport-security"]];
    }
    assert.deepEqual(seen, {
      "secure.dev.tld": [200, HSTS],
      "held.dev.tld": [503, HSTS],
      "refused.dev.tld": [503, HSTS],
      "redirect.dev.tld": [200, HSTS],
    });

    // plain HTTP: the redirect and the 403 carry no HSTS (browsers ignore it there)
    const plain = async (name: string) => {
      const answer = await httpRequest({ url: fixture.url, host: name });
      return [answer.status, answer.headers["strict-transport-security"]];
    };
    assert.deepEqual(await plain("redirect.dev.tld"), [301, undefined]);
    assert.deepEqual(await plain("held.dev.tld"), [403, undefined]);
    assert.deepEqual(await plain("secure.dev.tld"), [200, undefined]);
  });
