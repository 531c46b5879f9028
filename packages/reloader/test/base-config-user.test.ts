// A user's --config whose `bind` names the mounted HAPROXY_SSL_CERT file itself (what the docs asked
// before 2026-12-03) keeps working, but a renewal then ends in a reload and a broken edit fails every
// check: the reloader now says so at start, naming the checked copy to use instead.
import assert from "node:assert/strict";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { resolveOptions } from "../src/options/resolve-options.ts";
import { stateLayout } from "../src/output/snapshot-layout.ts";
import { prepareBaseConfig } from "../src/setup/prepare-base-config.ts";
import { captureLog } from "./helpers/capture-log.ts";

// The events prepareBaseConfig logs for a --config of `text`, with HAPROXY_SSL_CERT at <dir>/site.pem.
async function eventsFor(text: (certFile: string) => string): Promise<Record<string, unknown>[]> {
  const dir = await mkdtemp(join(tmpdir(), "rh-user-config-"));
  try {
    const certFile = join(dir, "site.pem");
    const userConfig = join(dir, "my.cfg");
    await writeFile(userConfig, text(certFile));
    const stateDir = join(dir, "state");
    const options = resolveOptions(
      { config: userConfig },
      { HAPROXY_SSL_CERT: certFile, ENABLE_SSL: "true" },
    );
    const { logger, events } = captureLog();
    const layout = stateLayout(stateDir);
    await mkdir(stateDir, { recursive: true });
    await prepareBaseConfig(options, { kind: "stdout" } as never, null, layout, logger);
    return events();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test("a --config that binds HAPROXY_SSL_CERT itself is warned about at start; one binding the copy is not", async () => {
  const bind = (file: string) => `frontend https\n    bind 127.0.0.1:8443 ssl crt ${file}\n`;
  const mounted = await eventsFor((certFile) => bind(certFile));
  const warning = mounted.find((line) => line["event"] === "base-config.binds-mounted-cert");
  assert.equal(warning?.["level"], 40);
  assert.match(String(warning?.["msg"]), /site\.pem.*name \S*server\.pem, the checked copy, instead/);
  // Quoted, through the variable HAProxy inherits, or as the directory `crt` loads every file of.
  for (const text of [
    (certFile: string) => bind(`"${certFile}"`),
    () => bind('"${HAPROXY_SSL_CERT}"'),
    () => bind("$HAPROXY_SSL_CERT"),
    (certFile: string) => bind(dirname(certFile)),
    (certFile: string) => bind(`'${dirname(certFile)}/'`),
  ]) {
    const events = await eventsFor(text);
    assert.ok(
      events.some((line) => line["event"] === "base-config.binds-mounted-cert"),
      text("<file>"),
    );
  }
  // Only a word of a line that is not a comment: the path in a comment, or inside a longer one, is not it.
  for (const text of [
    (certFile: string) =>
      `${bind("/var/run/rancher-haproxy/server.pem")}    # was: bind 127.0.0.1:8443 ssl crt ${certFile}\n`,
    (certFile: string) => bind(`${certFile}.bak`),
    (certFile: string) =>
      `global\n    chroot ${dirname(certFile)}\n${bind("/var/run/rancher-haproxy/server.pem")}`,
  ])
    assert.ok(!(await eventsFor(text)).some((line) => line["event"] === "base-config.binds-mounted-cert"));
  const copy = await eventsFor(() => bind("/var/run/rancher-haproxy/server.pem"));
  assert.ok(copy.some((line) => line["event"] === "base-config.user"));
  assert.ok(!copy.some((line) => line["event"] === "base-config.binds-mounted-cert"));
});

// A section named as a stack's backend could be made every check fail while that stack was routed (now
// that backend is left out: base-config-section-clash.test.ts); the start names it and its line, once.
test("a --config section named like a stack is warned about at start, naming each section and its line", async () => {
  const text = () =>
    [
      "global",
      "    default-path config",
      "frontend legacy",
      "    bind 127.0.0.1:8080",
      "    default_backend fallback_mine",
      "backend legacy",
      "listen shop.web",
      "backend fallback_mine",
      "",
    ].join("\n");
  const warnings = (await eventsFor(text)).filter(
    (line) => line["event"] === "base-config.section-name-clash",
  );
  assert.equal(warnings.length, 1);
  assert.equal(warnings[0]?.["level"], 40);
  assert.deepEqual(warnings[0]?.["sections"], [
    { section: "backend legacy", line: 6 },
    { section: "listen shop.web", line: 7 },
  ]);
  assert.match(String(warnings[0]?.["msg"]), /backend legacy \(line 6\), listen shop\.web \(line 7\)/);
  const own = await eventsFor(
    () => "frontend mine\n    default_backend fallback_mine\nbackend fallback_mine\n",
  );
  assert.ok(!own.some((line) => line["event"] === "base-config.section-name-clash"));
});

// The copy in the state dir is what HAProxy loads: it was the --config decoded as UTF-8 and written again,
// so a byte that is not UTF-8 (a Latin-1 `é` in a header value) became U+FFFD's three bytes, and HAProxy
// would send `cafï¿½` where the user's config said `café`. It is copied byte for byte now, and handed on
// as such.
test("a --config with bytes that are not UTF-8 is copied to the state dir byte for byte", async () => {
  const dir = await mkdtemp(join(tmpdir(), "rh-user-config-"));
  try {
    const userConfig = join(dir, "my.cfg");
    const bytes = Buffer.concat([
      Buffer.from('frontend mine\n    http-response set-header X-Name "caf'),
      Buffer.from([0xe9]),
      Buffer.from('"\n    default_backend fallback_mine\nbackend fallback_mine\n'),
    ]);
    await writeFile(userConfig, bytes);
    const stateDir = join(dir, "state");
    await mkdir(stateDir, { recursive: true });
    const layout = stateLayout(stateDir);
    const options = resolveOptions({ config: userConfig }, {});
    const { logger } = captureLog();
    const read = await prepareBaseConfig(options, { kind: "stdout" } as never, null, layout, logger);
    assert.deepEqual(await readFile(layout.baseConfig), bytes);
    assert.deepEqual(read?.bytes, bytes);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
