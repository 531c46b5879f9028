// Issue 11, items 2, 12, 13 and 15, against the real reloader and HAProxy on loopback: the workers drop
// root, a Host HAProxy would misroute gets 400, the default stats password is refused whatever the
// username, and 12 000 idle connections do not starve normal requests (explicit maxconn).
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { connect, type Socket } from "node:net";
import { test } from "node:test";
import {
  freePort,
  renderTestBackends,
  renderTestMap,
  waitFor,
} from "../../test-support/src/haproxy/index.ts";
import { httpRequest, startBackend } from "../../test-support/src/http/index.ts";
import { createFixture } from "./helpers/fixture.ts";
import { routesTo } from "./helpers/routes-to.ts";

// One raw HTTP/1.1 exchange; returns the status line.
function rawRequest(port: number, head: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => socket.end(head));
    let data = "";
    socket.setTimeout(5000, () => socket.destroy(new Error("no answer within 5 s")));
    socket.on("data", (chunk: Buffer) => (data += chunk.toString("latin1")));
    socket.on("error", reject);
    socket.on("close", () => resolve(data.split("\r\n")[0] ?? ""));
  });
}

test("HAProxy's workers do not run as root (they drop to the haproxy user after binding)", async (t) => {
  const fixture = await createFixture((fn) => t.after(fn));
  const ready = fixture.reloader.logs.find((line) => line.event === "haproxy.ready");
  const workerPid = Number(ready?.["workerPid"]);
  const status = await readFile(`/proc/${workerPid}/status`, "utf8");
  const uids = (/^Uid:\s+(.*)$/m.exec(status)?.[1] ?? "").split(/\s+/).map(Number);
  const gids = (/^Gid:\s+(.*)$/m.exec(status)?.[1] ?? "").split(/\s+/).map(Number);
  assert.equal(uids.length, 4, status);
  const me = process.getuid?.() ?? -1;
  if (me === 0) {
    assert.ok(
      uids.every((uid) => uid !== 0),
      `worker ${workerPid} uids ${uids.join(" ")}`,
    );
    assert.ok(
      gids.every((gid) => gid !== 0),
      `worker ${workerPid} gids ${gids.join(" ")}`,
    );
  } else
    assert.ok(
      uids.every((uid) => uid === me),
      "not root: the worker runs as the reloader's user",
    );
  // It still serves and reloads after dropping root.
  const app = await startBackend({ name: "app", host: "127.0.0.85" });
  t.after(() => app.close());
  const from = fixture.reloader.logs.length;
  await fixture.write({
    backends: renderTestBackends([{ name: "app", servers: [{ address: app.address }] }]),
    map: renderTestMap({ "app.dev.tld": "app" }),
  });
  await fixture.reloader.waitForEvent("reload.applied", { from });
  // Two renames a loaded machine may split between two passes (this reload took the backends, the map
  // follows at runtime): app.dev.tld is routed once the map is live too.
  await waitFor(routesTo(fixture.url, "app.dev.tld", "app", 2000), {
    timeoutMs: 15_000,
    message: "app.dev.tld routed",
  });
});

test("a Host with a comma, a bad character or a second Host header of another value gets 400", async (t) => {
  const app = await startBackend({ name: "app", host: "127.0.0.83" });
  t.after(() => app.close());
  const fixture = await createFixture((fn) => t.after(fn), {
    backends: renderTestBackends([{ name: "app", servers: [{ address: app.address }] }]),
    map: renderTestMap({ "app.dev.tld": "app" }),
  });
  const port = fixture.httpPort;
  const get = (headers: string) => rawRequest(port, `GET / HTTP/1.1\r\n${headers}Connection: close\r\n\r\n`);
  for (const host of ["evil.example,app.dev.tld", "evil.example, app.dev.tld", "app.dev.tld;x", "app dev"])
    assert.match(await get(`Host: ${host}\r\n`), /^HTTP\/1\.1 400 /, host);
  assert.match(await get("Host: evil.example\r\nHost: app.dev.tld\r\n"), /^HTTP\/1\.1 400 /, "two Hosts");
  assert.equal(app.requests, 0, "the backend never saw them");
  // The same Host twice is no guess: HAProxy's parser keeps one (docs/security.md, the README say so).
  assert.match(await get("Host: app.dev.tld\r\nHost: app.dev.tld\r\n"), /^HTTP\/1\.1 200 /, "one Host twice");
  assert.equal(app.requests, 1, "the backend got the request with the same Host twice");
  for (const host of ["app.dev.tld", "APP.dev.tld:8080", "app.dev.tld.", "x.app.dev.tld"])
    assert.match(await get(`Host: ${host}\r\n`), /^HTTP\/1\.1 200 /, host);
  assert.match(await get("Host: [::1]:80\r\n"), /^HTTP\/1\.1 503 /, "an IPv6 literal is a host");
});

test("ENABLE_STATS with the default password is refused whatever the username (an empty one means the default)", async (t) => {
  const fixture = await createFixture((fn) => t.after(fn), { deferStart: true, waitReady: false });
  for (const env of [
    { STATS_USERNAME: "admin", STATS_PASSWORD: "" },
    { STATS_USERNAME: "admin", STATS_PASSWORD: "haproxy" },
  ]) {
    const refused = await fixture.start([], {
      ENABLE_STATS: "true",
      STATS_PORT: String(await freePort()),
      ...env,
    });
    const outcome = await Promise.race([
      refused.exited,
      new Promise((resolve) => setTimeout(() => resolve("still running after 20 s"), 20_000).unref()),
    ]);
    assert.deepEqual(outcome, { code: 2, signal: null }, JSON.stringify(env));
    assert.match(refused.logs.map((line) => line.raw ?? "").join("\n"), /default STATS_PASSWORD/);
  }
});

test("12 000 idle connections do not make normal requests time out", async (t) => {
  const app = await startBackend({ name: "app", host: "127.0.0.84" });
  t.after(() => app.close());
  const fixture = await createFixture((fn) => t.after(fn), {
    backends: renderTestBackends([{ name: "app", servers: [{ address: app.address }] }]),
    map: renderTestMap({ "app.dev.tld": "app" }),
  });
  const idle: Socket[] = [];
  t.after(() => idle.forEach((socket) => socket.destroy()));
  // HAProxy reaps idle clients after `timeout http-request` (10 s) from its accept: on a loaded machine
  // (CI's two cores, other tests beside) the 12 000 can take longer than that to open, and the first are
  // then gone before the requests go out (6 011 of them once), or HAProxy was busy reaping thousands of
  // them while it had the requests to answer (7 of 20 then got no answer within 3 s). Such an attempt
  // proves nothing either way: its sockets are closed and it is made again, three times at most; the last
  // one is judged whatever happened in it (so a starving HAProxy still fails the test).
  for (let attempt = 1; ; attempt++) {
    let closed = 0;
    const open = () =>
      new Promise<void>((resolve, reject) => {
        const socket = connect(fixture.httpPort, "127.0.0.1", () => resolve());
        socket.on("error", reject);
        socket.on("close", () => closed++);
        // Read what arrives: HAProxy may answer 408 before closing, and an unread socket never sees
        // the end, so a close would go uncounted and the check below could not fail.
        socket.resume();
        idle.push(socket);
      });
    const began = performance.now();
    for (let batch = 0; batch < 24; batch++) await Promise.all(Array.from({ length: 500 }, open));
    const openedInS = ((performance.now() - began) / 1000).toFixed(1);
    // Ask while all 12 000 are held.
    const answers = await Promise.all(
      Array.from({ length: 20 }, () =>
        httpRequest({ url: fixture.url, host: "app.dev.tld", timeoutMs: 3000 }).then(
          (response) => response.status,
          (error: unknown) => String(error),
        ),
      ),
    );
    if (closed > 0 && attempt < 3) {
      t.diagnostic(`attempt ${attempt}: ${closed} idle connections reaped (opened in ${openedInS} s), again`);
      idle.splice(0).forEach((socket) => socket.destroy());
      continue;
    }
    assert.deepEqual(
      answers,
      Array.from({ length: 20 }, () => 200),
      `attempt ${attempt}: ${12_000 - closed} idle connections open (opened in ${openedInS} s)`,
    );
    assert.equal(
      closed,
      0,
      `the 12 000 idle connections were still open during the requests (attempt ${attempt}, opened in ${openedInS} s)`,
    );
    break;
  }
});
