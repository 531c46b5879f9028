// Hostile and unreadable input files (issue 7, item 4, the reloader's half): a directory or a FIFO in a
// file's place, NUL bytes, invalid UTF-8, CRLF line endings or a bare `\r` line, an injected section, a
// 3-field map line, a map value naming no backend (haproxy -c accepts that one). Each is refused with a
// log line naming the file, the running HAProxy keeps answering every request of a concurrent load, and
// the fixed files are applied after.
// Every step waits for what the reloader says about the exact files (their hash in reload.applied /
// runtime.applied / inputs.live), never for "some" reload: a slow machine may run a pass between two writes.
// (chmod 000 is no test here: the suite runs as root, who reads such a file anyway.)
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdir, readlink, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import {
  freePort,
  renderTestBackends,
  renderTestMap,
  waitFor,
} from "../../test-support/src/haproxy/index.ts";
import { httpRequest, startBackend } from "../../test-support/src/http/index.ts";
import { startAppLoad } from "./helpers/app-load.ts";
import { readInputs } from "../src/sources/read-inputs.ts";
import { createFixture, type Fixture } from "./helpers/fixture.ts";
import { routesTo } from "./helpers/routes-to.ts";

const routes = (url: string, host: string, name: string) => routesTo(url, host, name, 2000);

// Wait until the reloader reports the files now on disk live (applied by a reload or runtime steps, or
// recognised as the ones HAProxy already runs), by their hash: a pass over an earlier state does not count.
async function waitUntilLive(fixture: Fixture, from: number): Promise<void> {
  const read = await readInputs({
    base: join(fixture.stateDir, "haproxy.cfg"), // the private base config HAProxy loads
    backends: fixture.backendConfig,
    map: fixture.domainMap,
  });
  assert.ok(read.ok, "the inputs are readable");
  const hash = read.files.hash;
  await waitFor(
    () =>
      fixture.reloader.logs
        .slice(from)
        .some(
          (line) =>
            ["reload.applied", "runtime.applied", "inputs.live"].includes(String(line.event)) &&
            line["inputsHash"] === hash,
        ),
    { timeoutMs: 15_000, message: `the files with hash ${hash.slice(0, 12)} to be live` },
  );
}

// Replace a file by bytes the way a writer would (temp file + rename), so the watcher sees one change.
async function replaceWith(path: string, bytes: string | Buffer): Promise<void> {
  await rm(path, { recursive: true, force: true });
  await writeFile(`${path}.tmp`, bytes);
  await rename(`${path}.tmp`, path);
}

interface HostileCase {
  name: string;
  /** the event that must say what happened, and a pattern its message must match, the paths of the two
   * files written `<backends>` and `<map>` in it */
  event: "inputs.rejected" | "inputs.unreadable" | "inputs.unsettled";
  says: RegExp;
  /** `good`: the running map; the others: files that would also route fresh.dev.tld if applied */
  apply(
    fixture: Fixture,
    files: { good: string; backends: string; map: string; evilPort: number },
  ): Promise<void>;
}

const CASES: HostileCase[] = [
  {
    name: "a directory in the backends file's place",
    event: "inputs.unreadable",
    says: /<backends> is not a regular file \(a directory\)/,
    async apply(fixture, files) {
      await fixture.write({ map: files.map });
      await rm(fixture.backendConfig, { force: true });
      await mkdir(fixture.backendConfig);
    },
  },
  {
    name: "a FIFO in the map's place (never read, never waited on)",
    event: "inputs.unreadable",
    says: /<map> is not a regular file \(a FIFO\)/,
    async apply(fixture) {
      // (the map alone: a valid backends change next to the old map would rightly be applied)
      await rm(fixture.domainMap, { force: true });
      execFileSync("mkfifo", [fixture.domainMap]);
    },
  },
  {
    name: "NUL bytes in the backends file",
    event: "inputs.rejected",
    says: /\(<backends> contains a NUL byte/,
    async apply(fixture, files) {
      await replaceWith(fixture.backendConfig, `${files.backends}\0\0\0\n`);
      await fixture.write({ map: files.map });
    },
  },
  {
    name: "invalid UTF-8 in the map",
    event: "inputs.rejected",
    says: /\(<map> is not valid UTF-8/,
    async apply(fixture, files) {
      await replaceWith(
        fixture.domainMap,
        Buffer.concat([Buffer.from(files.map), Buffer.from([0xc3, 0x28, 0x0a])]),
      );
    },
  },
  {
    name: "an injected frontend in the backends file",
    event: "inputs.rejected",
    says: /\(<backends>:\d+ only `backend <stack>` sections are allowed/,
    async apply(fixture, files) {
      await fixture.write({
        backends: `${files.backends}\nfrontend evil\n    bind 127.0.0.1:${files.evilPort}\n`,
        map: files.map,
      });
    },
  },
  {
    name: "CRLF line endings in the map (saved on Windows)",
    event: "inputs.rejected",
    says: /\(<map>:1 contains a control character: a carriage return \(\\r\) at column 16 \(a CRLF line ending\?\)\)/,
    async apply(fixture, files) {
      // The map first: the new backends beside the running map are a valid state, which a pass between
      // the two renames applied (a new `current`: 2 of 9 runs beside a busy loop failed so).
      await fixture.write({ map: files.map.replaceAll("\n", "\r\n") });
      await fixture.write({ backends: files.backends });
    },
  },
  {
    name: "a bare `\\r` line in the backends file",
    event: "inputs.rejected",
    says: /\(<backends>:2 contains a control character: a carriage return \(\\r\) at column 1 /,
    async apply(fixture, files) {
      const [first, ...rest] = files.backends.split("\n");
      await fixture.write({ backends: [first, "\r", ...rest].join("\n"), map: files.map });
    },
  },
  {
    name: "a map line with 3 fields",
    event: "inputs.rejected",
    says: /\(<map>:\d+ a map line has 2 fields/,
    async apply(fixture, files) {
      // (the map alone, next to the running backends: no valid state in between)
      await fixture.write({ map: `${files.good}x.dev.tld app extra\n` });
    },
  },
  {
    name: "a map value naming a backend that does not exist (haproxy -c accepts it): not settled yet",
    event: "inputs.unsettled",
    says: /<map>:\d+ backend "ghost" is not declared in the backends file/,
    async apply(fixture, files) {
      await fixture.write({ map: `${files.good}ghost.dev.tld ghost\n` });
    },
  },
];

test("hostile or unreadable input files are refused and the running HAProxy keeps answering", async (t) => {
  const app = await startBackend({ name: "app", host: "127.0.0.61" });
  const fresh = await startBackend({ name: "fresh", host: "127.0.0.62" });
  t.after(() => Promise.all([app.close(), fresh.close()]));
  const good = {
    backends: renderTestBackends([{ name: "app", servers: [{ address: app.address }] }]),
    map: renderTestMap({ "app.dev.tld": "app" }),
  };
  // What each hostile variant would also route if it were applied: fresh.dev.tld.
  const withFresh = {
    backends: renderTestBackends([
      { name: "app", servers: [{ address: app.address }] },
      { name: "fresh", servers: [{ address: fresh.address }] },
    ]),
    map: renderTestMap({ "app.dev.tld": "app", "fresh.dev.tld": "fresh" }),
    evilPort: await freePort(),
    good: good.map,
  };
  const fixture = await createFixture((fn) => t.after(fn), {
    ...good,
    args: ["--rescan-interval", "1s"],
  });

  const healthUrl = `${String((await fixture.reloader.waitForEvent("status.listening"))["url"])}/healthz`;
  // The two files' paths as `says` writes them.
  const named = (text: string) =>
    text.replaceAll(fixture.backendConfig, "<backends>").replaceAll(fixture.domainMap, "<map>");

  const load = startAppLoad(fixture.url, 90_000);
  let refused = 0;
  try {
    for (const hostile of CASES) {
      const current = await readlink(`${fixture.stateDir}/current`);
      const from = fixture.reloader.logs.length;
      await hostile.apply(fixture, withFresh);
      const said = await fixture.reloader.waitForEvent(hostile.event, { from, timeoutMs: 10_000 });
      assert.match(named(String(said.msg)), hostile.says, hostile.name);
      // /healthz gives the same reason, the file named by its path (`map`/`backends` until 2026-12-05)
      if (hostile.event !== "inputs.unreadable") {
        const msg = String(said.msg);
        const reason =
          hostile.event === "inputs.rejected"
            ? `inputs rejected: ${msg.slice(msg.indexOf("(") + 1, -1)}`
            : String(said["reason"]);
        assert.match(named(reason), /^(inputs rejected|not settled yet): <(backends|map)>/, hostile.name);
        await waitFor(
          async () => {
            const body = (await (await fetch(healthUrl)).json()) as { lastError: string | null };
            return body.lastError === reason;
          },
          { timeoutMs: 5000, message: `${hostile.name}: /healthz says ${reason}` },
        );
      }
      refused += 1;
      assert.equal(await readlink(`${fixture.stateDir}/current`), current, `${hostile.name}: current kept`);
      assert.equal(
        fixture.reloader.count("reload.applied", (line) => fixture.reloader.logs.indexOf(line) >= from),
        0,
      );
      assert.equal(
        (await httpRequest({ url: fixture.url, host: "fresh.dev.tld" })).status,
        503,
        hostile.name,
      );
      assert.ok(await routes(fixture.url, "app.dev.tld", "app")(), `${hostile.name}: app still answers`);
      if (hostile.name.includes("frontend"))
        await assert.rejects(
          httpRequest({ url: `http://127.0.0.1:${withFresh.evilPort}/`, host: "x", timeoutMs: 1000 }),
          "the injected frontend does not listen",
        );

      // Back to good files: live again (HAProxy still runs them, or a reload with them), nothing stuck.
      const restore = fixture.reloader.logs.length;
      await rm(fixture.backendConfig, { recursive: true, force: true });
      await rm(fixture.domainMap, { recursive: true, force: true });
      await fixture.write(good);
      await waitUntilLive(fixture, restore);
    }
    // Finally the fixed change itself is applied.
    const from = fixture.reloader.logs.length;
    await fixture.write({ backends: withFresh.backends, map: withFresh.map });
    await waitUntilLive(fixture, from);
    await waitFor(routes(fixture.url, "fresh.dev.tld", "fresh"), { timeoutMs: 3000, message: "fresh" });
  } finally {
    load.stop();
  }
  const result = await load.result;
  console.log(
    `hostile inputs refused: ${refused}/${CASES.length}; load ${result.sent} requests, ${result.failed} failed`,
  );
  assert.equal(refused, CASES.length);
  assert.ok(result.sent > 200, `load ran (${result.sent} requests)`);
  assert.deepEqual(result.failures, []);
  assert.equal(result.failed, 0);
});

test("a directory in the backends file's place at start-up: HAProxy starts (503 everywhere), then applies the file", async (t) => {
  const app = await startBackend({ name: "app", host: "127.0.0.63" });
  t.after(() => app.close());
  const fixture = await createFixture((fn) => t.after(fn), {
    deferStart: true,
    // debug: each pass over the same unreadable files says so (inputs.still-unreadable), to be counted.
    args: ["--rescan-interval", "1s", "--log-level", "debug"],
  });
  await mkdir(fixture.backendConfig, { recursive: true });
  await fixture.write({ map: renderTestMap({ "app.dev.tld": "app" }) });
  const reloader = await fixture.start();
  const unreadable = await reloader.waitForEvent("inputs.unreadable");
  assert.match(String(unreadable.msg), /is not a regular file \(a directory\)/);
  await reloader.waitForEvent("start.empty-routing");
  assert.equal((await httpRequest({ url: fixture.url, host: "app.dev.tld" })).status, 503);
  // Rescans (every 1 s here) of the same unreadable file neither log it nor count a failed check again:
  // once, at start (each rescan did, and the first pass repeated the start's report). Judged once three
  // passes after the start's report read the file, whichever line each wrote (not after a fixed sleep).
  const reports = () => reloader.count("inputs.unreadable") + reloader.count("inputs.still-unreadable");
  await waitFor(() => reports() >= 4, {
    timeoutMs: 15_000,
    message: "three passes over the unreadable file",
  });
  assert.equal(reloader.count("inputs.unreadable"), 1);

  // Awaited live first (by the files' hash, 15 s): on a loaded machine the check and the reload alone can
  // take over 5 s.
  const from = reloader.logs.length;
  await rm(fixture.backendConfig, { recursive: true });
  await fixture.write({
    backends: renderTestBackends([{ name: "app", servers: [{ address: app.address }] }]),
  });
  await waitUntilLive(fixture, from);
  await waitFor(routes(fixture.url, "app.dev.tld", "app"), { timeoutMs: 2000, message: "the written file" });
});
