// With certificates, /healthz and /config?format=json gain a `certificates` field. It is spliced into the
// rendered text, never parsed from it: the answer is the bytes the object with the field would render,
// and a /config of megabytes is not parsed again on every request.
import assert from "node:assert/strict";
import { mock, test } from "node:test";
import { jsonResponse, responseBytes, textResponse, withBytes } from "@rancher-haproxy/core";
import type { CertificateSnapshot } from "../src/certs/certificate-state.ts";
import { withField, withCertificateRoutes } from "../src/certs/status/with-certificate-routes.ts";

const SNAPSHOT: CertificateSnapshot = {
  served: [
    {
      name: "metadata/a",
      source: "metadata",
      subject: "CN=a.test",
      names: ["a.test"],
      notAfter: "2027-01-01T00:00:00.000Z",
      daysLeft: 30,
      fingerprint: "ab:cd",
    },
  ],
  skipped: [{ name: "metadata/b", reason: "expired" }],
  warnings: [],
  updates: { runtime: 0, reload: 1, failed: 0 },
  lastUpdate: null,
  lastError: null,
};
const CERTIFICATES = { served: SNAPSHOT.served, skipped: SNAPSHOT.skipped };

test("the field is added as the object with it would render, whatever the object holds", () => {
  const objects: Record<string, unknown>[] = [
    {},
    { ok: true },
    {
      files: { "domain.map": "a.dev.tld app\n}\n", "backends.cfg": "backend app {\n" },
      list: [1, [2, {}], []],
    },
    { text: 'quote " backslash \\ brace } newline \n', nested: { deeper: { deepest: null } } },
  ];
  for (const object of objects) {
    const answer = withField(jsonResponse(object, 503), CERTIFICATES);
    assert.equal(answer.body, jsonResponse({ ...object, certificates: CERTIFICATES }).body);
    assert.equal(answer.status, 503);
  }
  for (const other of [jsonResponse([1, 2]), jsonResponse("text"), textResponse("{ plain }")])
    assert.equal(withField(other, CERTIFICATES), other, "not a JSON object: left as it is");
});

test("/config?format=json of a large snapshot is not parsed again to add the certificates", async (t) => {
  const config = { files: { "domain.map": "x.dev.tld app\n".repeat(100_000) } };
  const routes = withCertificateRoutes(
    { "/config": () => Promise.resolve(jsonResponse(config)) },
    { snapshot: () => SNAPSHOT },
  );
  const parse = mock.method(JSON, "parse");
  t.after(() => parse.mock.restore());
  const handler = routes["/config"];
  assert.ok(handler);
  const answer = await handler({ path: "/config", query: new URLSearchParams("format=json") });
  assert.equal(parse.mock.callCount(), 0);
  parse.mock.restore();
  const parsed = JSON.parse(answer.body) as { certificates: unknown; files: unknown };
  assert.deepEqual([parsed.certificates, parsed.files], [CERTIFICATES, config.files]);
});

test("/config with certificates: requests share one encoding while the running config and certificates stay", async () => {
  const config = { files: { "domain.map": "x.dev.tld app\n".repeat(10_000) } };
  // As RunningConfigAnswers: a copy of one kept answer per request, its body and bytes shared.
  let keptJson = withBytes(jsonResponse(config));
  const keptText = withBytes(textResponse("# ==> domain.map <==\nx.dev.tld app\n"));
  let snapshot = SNAPSHOT;
  const routes = withCertificateRoutes(
    {
      "/config": (request) => (request.query.get("format") === "json" ? { ...keptJson } : { ...keptText }),
    },
    { snapshot: () => snapshot },
  );
  const handler = routes["/config"];
  assert.ok(handler);
  const ask = async (query: string) =>
    responseBytes(await handler({ path: "/config", query: new URLSearchParams(query) }));
  for (const query of ["format=json", ""]) {
    const first = await ask(query);
    assert.equal(await ask(query), first, `${query || "text"}: the same bytes, not a copy`);
    assert.match(first.toString(), /metadata\/a/);
  }
  const json = await ask("format=json");
  snapshot = { ...SNAPSHOT, skipped: [] };
  const renewed = await ask("format=json");
  assert.notEqual(renewed, json, "certificates changed: a new answer");
  assert.doesNotMatch(renewed.toString(), /metadata\/b/);
  keptJson = withBytes(jsonResponse({ files: { "domain.map": "y.dev.tld app\n" } }));
  assert.match((await ask("format=json")).toString(), /y\.dev\.tld/, "a new running config: a new answer");
});
