// The stats listener (basic auth, Prometheus /metrics) and a user's own base config (--config) used as is.
import assert from "node:assert/strict";
import { readFile, rename, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { freePort, renderTestMap } from "../../test-support/src/haproxy/index.ts";
import { httpRequest } from "../../test-support/src/http/index.ts";
import { createFixture, waitForApply } from "./helpers/fixture.ts";
import { userConfigFixture, userConfigLines } from "./helpers/user-config.ts";

test("ENABLE_STATS: stats page and /metrics behind basic auth on STATS_PORT; the password stays out of logs", async (t) => {
  const statsPort = await freePort();
  const fixture = await createFixture((fn) => t.after(fn), {
    env: {
      ENABLE_STATS: "true",
      STATS_PORT: String(statsPort),
      STATS_USERNAME: "ops",
      STATS_PASSWORD: "Zq9-secret.pw",
    },
  });
  const url = `http://127.0.0.1:${statsPort}`;
  const auth = { authorization: `Basic ${Buffer.from("ops:Zq9-secret.pw").toString("base64")}` };
  const wrong = { authorization: `Basic ${Buffer.from("ops:nope").toString("base64")}` };

  assert.equal((await httpRequest({ url: `${url}/` })).status, 401);
  assert.equal((await httpRequest({ url: `${url}/`, headers: wrong })).status, 401);
  assert.equal((await httpRequest({ url: `${url}/metrics` })).status, 401);
  const page = await httpRequest({ url: `${url}/`, headers: auth });
  assert.equal(page.status, 200);
  assert.match(page.body, /rh_http/);
  const metrics = await httpRequest({ url: `${url}/metrics`, headers: auth });
  assert.equal(metrics.status, 200);
  assert.match(metrics.body, /^haproxy_process_/m);
  assert.match(metrics.body, /haproxy_frontend_http_requests_total\{proxy="rh_http"\}/);

  assert.equal(
    (await stat(join(fixture.stateDir, "haproxy.cfg"))).mode & 0o777,
    0o600,
    "the config holding the password is 0600, in the private state dir",
  );
  assert.equal((await stat(fixture.stateDir)).mode & 0o777, 0o700, "the state dir is 0700");
  const copy = await readFile(fixture.baseConfig, "utf8");
  assert.match(copy, /insecure-password \[redacted\]/, "the HAPROXY_CONFIG copy has the password masked");
  assert.ok(!copy.includes("Zq9-secret.pw"));
  assert.ok(!fixture.reloader.logs.some((line) => JSON.stringify(line).includes("Zq9-secret.pw")));
});

test("ENABLE_STATS with the default haproxy/haproxy credentials: exit 2 unless allowed", async (t) => {
  const fixture = await createFixture((fn) => t.after(fn), { deferStart: true, waitReady: false });
  const refused = await fixture.start([], { ENABLE_STATS: "true", STATS_PORT: String(await freePort()) });
  assert.deepEqual(await refused.exited, { code: 2, signal: null });
  assert.match(refused.logs.map((line) => line.raw ?? "").join("\n"), /STATS_ALLOW_DEFAULT_PASSWORD=true/);

  const allowedPort = await freePort();
  const allowed = await fixture.start([], {
    ENABLE_STATS: "true",
    STATS_PORT: String(allowedPort),
    STATS_ALLOW_DEFAULT_PASSWORD: "true",
  });
  await allowed.waitForEvent("reloader.ready");
  const auth = { authorization: `Basic ${Buffer.from("haproxy:haproxy").toString("base64")}` };
  assert.equal((await httpRequest({ url: `http://127.0.0.1:${allowedPort}/`, headers: auth })).status, 200);
});

test("--config: the user's own base config is used as is, read once at start, and not overwritten", async (t) => {
  const { fixture, userConfig } = await userConfigFixture(t, "127.0.0.71");
  const text = (marker: string) =>
    userConfigLines(
      fixture.httpPort,
      [`    http-response set-header x-user-config ${marker}`],
      [
        "    default_backend fallback_mine",
        "backend fallback_mine",
        '    http-request return status 404 content-type text/plain string "mine"',
      ],
    ).join("\n");
  await writeFile(userConfig, text("one"));
  await fixture.start(["--config", userConfig]);
  await fixture.reloader.waitForEvent("base-config.user");

  const routed = await httpRequest({ url: fixture.url, host: "app.dev.tld" });
  assert.equal(routed.body, "app");
  assert.equal(routed.headers["x-user-config"], "one");
  assert.equal((await httpRequest({ url: fixture.url, host: "other.dev.tld" })).status, 404);
  await assert.rejects(
    stat(fixture.baseConfig),
    { code: "ENOENT" },
    "HAPROXY_CONFIG is not rendered with --config",
  );

  // An edit is not watched: a later change of the generated files still runs with the config read at start.
  await writeFile(`${userConfig}.tmp`, text("two"));
  await rename(`${userConfig}.tmp`, userConfig);
  const from = fixture.reloader.logs.length;
  await fixture.write({ map: renderTestMap({ "app.dev.tld": "app", "www.dev.tld": "app" }) });
  await waitForApply(fixture.reloader, from); // the map of a user's config is updated at runtime too
  const after = await httpRequest({ url: fixture.url, host: "www.dev.tld" });
  assert.equal(after.body, "app");
  assert.equal(after.headers["x-user-config"], "one", "the edit waits for the next start");
  assert.equal(await readFile(userConfig, "utf8"), text("two"));

  // The next start reads it.
  await fixture.reloader.stop();
  await fixture.start(["--config", userConfig]);
  assert.equal(
    (await httpRequest({ url: fixture.url, host: "app.dev.tld" })).headers["x-user-config"],
    "two",
  );
});

// The refusal named only the flag: `--config=/…/missing.cfg cannot be opened (ENOENT)` to a user who set
// HAPROXY_USER_CONFIG (the image's way), as the state dir's refusals name both.
test("a --config that cannot be read: exit 2, naming --config and HAPROXY_USER_CONFIG and the path", async (t) => {
  const fixture = await createFixture((fn) => t.after(fn), { deferStart: true, waitReady: false });
  const missing = join(fixture.dir, "missing.cfg");
  const refused = await fixture.start([], { HAPROXY_USER_CONFIG: missing });
  assert.deepEqual(await refused.exited, { code: 2, signal: null });
  const failed = await refused.waitForEvent("reloader.start-failed");
  assert.equal(failed["err"], `--config / HAPROXY_USER_CONFIG=${missing} cannot be opened (ENOENT)`);
});
