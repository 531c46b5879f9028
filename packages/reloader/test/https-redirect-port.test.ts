// Where the redirects to HTTPS send a client whose Host names a port (`app.dev.tld:8080`): to the HTTPS
// listener, not back to the HTTP port the request came in on. Until 2026-12-04 the Location kept the
// Host's port (HAProxy's `redirect scheme`), so `http://app.dev.tld:8080/` was sent to
// `https://app.dev.tld:8080/`, a TLS handshake with the HTTP listener that no client completes.
import assert from "node:assert/strict";
import { test } from "node:test";
import { renderBackends } from "@rancher-haproxy/core";
import { freePort, renderTestMap } from "../../test-support/src/haproxy/index.ts";
import { httpRequest, startBackend } from "../../test-support/src/http/index.ts";
import { buildTree, startMetadataServer } from "../../test-support/src/metadata/index.ts";
import { createFixture, type Fixture } from "./helpers/fixture.ts";
import { recordedCertificate } from "./helpers/test-certificate.ts";

const CERT = recordedCertificate();

// A reloader with ENABLE_SSL on a free HTTPS port (never 443), `app` plain and `secure` with
// https=redirect, each a real backend answering its name.
async function start(t: { after: (fn: () => unknown) => void }, env: Record<string, string>) {
  const app = await startBackend({ name: "app", host: "127.0.0.97" });
  t.after(() => app.close());
  const secure = await startBackend({ name: "secure", host: "127.0.0.98" });
  t.after(() => secure.close());
  const metadata = await startMetadataServer({
    tree: buildTree({ domainSelf: { metadata: { ssl_cert: CERT.cert, ssl_key: CERT.key } } }),
  });
  t.after(() => metadata.close());
  const server = (address: string) => {
    const colon = address.lastIndexOf(":");
    return { name: "s1", address: address.slice(0, colon), port: Number(address.slice(colon + 1)) };
  };
  const httpsPort = await freePort();
  const fixture = await createFixture((fn) => t.after(fn), {
    backends: renderBackends({
      backends: [
        { name: "app", servers: [server(app.address)] },
        { name: "secure", servers: [server(secure.address)], options: { https: "redirect" } },
      ],
    }),
    map: renderTestMap({ "app.dev.tld": "app", "secure.dev.tld": "secure" }),
    args: ["--https-port", String(httpsPort)],
    env: { ENABLE_SSL: "true", RANCHER_API_HOST: metadata.hostPort, ...env },
  });
  return { fixture, httpsPort };
}

// The redirect's Location for a plain HTTP request with `host`.
async function location(fixture: Fixture, host: string, path: string, method = "GET") {
  const answer = await httpRequest({ url: new URL(path, fixture.url).href, host, method });
  assert.ok([301, 308].includes(answer.status), `${method} ${host}${path}: status ${answer.status}`);
  return String(answer.headers["location"]);
}

// Follows a Location on loopback (its host goes in the Host header and the SNI): the body, or the error.
async function follow(target: string): Promise<string> {
  const url = new URL(target);
  try {
    const answer = await httpRequest({
      url: `https://127.0.0.1:${url.port || 443}${url.pathname}${url.search}`,
      host: url.host,
    });
    return answer.status === 200 ? answer.body : `status ${answer.status}`;
  } catch (error) {
    return `no answer: ${(error as Error).message}`;
  }
}

test("https=redirect sends a Host with a port to the HTTPS port, a Host without one to https://<host>/", async (t) => {
  const { fixture, httpsPort } = await start(t, {});
  const named = `secure.dev.tld:${fixture.httpPort}`;
  const get = await location(fixture, named, "/a/b?c=1&d=%2F");
  assert.equal(get, `https://secure.dev.tld:${httpsPort}/a/b?c=1&d=%2F`);
  assert.equal(await follow(get), "secure", "the client reaches the service over HTTPS");
  assert.equal(
    await location(fixture, named, "/form?x", "POST"),
    `https://secure.dev.tld:${httpsPort}/form?x`,
  );
  // A browser on port 80 names no port: it goes to 443, as before.
  assert.equal(await location(fixture, "secure.dev.tld", "/a?b"), "https://secure.dev.tld/a?b");
  assert.equal(await location(fixture, "secure.dev.tld.", "/a"), "https://secure.dev.tld/a");
  assert.equal((await httpRequest({ url: fixture.url, host: named })).status, 301);
  assert.equal(
    (await httpRequest({ url: fixture.url, host: `app.dev.tld:${fixture.httpPort}` })).body,
    "app",
  );
  // with ENABLE_SSL the HTTPS frontend serves them: no warning about https backends
  assert.deepEqual(
    fixture.reloader.logs.filter((line) => String(line.event).startsWith("https.")),
    [],
  );
});

test("ENABLE_SSL_REDIRECTION sends a Host with a port to the HTTPS port, a Host without one to https://<host>/", async (t) => {
  const { fixture, httpsPort } = await start(t, { ENABLE_SSL_REDIRECTION: "true" });
  const get = await location(fixture, `APP.dev.tld:${fixture.httpPort}`, "/x/?y=1");
  assert.equal(get, `https://app.dev.tld:${httpsPort}/x/?y=1`);
  assert.equal(await follow(get), "app", "the client reaches the service over HTTPS");
  assert.equal(await location(fixture, "app.dev.tld", "/x"), "https://app.dev.tld/x");
  assert.equal(await location(fixture, "[::1]:8080", "/x"), `https://[::1]:${httpsPort}/x`);
  // the port a browser on port 80 names goes to 443 like none; a trailing dot goes as routing reads it
  assert.equal(await location(fixture, "app.dev.tld:80", "/x"), "https://app.dev.tld/x");
  assert.equal(await location(fixture, "App.Dev.tld.", "/x"), "https://app.dev.tld/x");
  assert.equal(
    await location(fixture, `app.dev.tld.:${fixture.httpPort}`, "/x"),
    `https://app.dev.tld:${httpsPort}/x`,
  );
});
