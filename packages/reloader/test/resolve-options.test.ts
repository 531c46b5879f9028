// Options are validated once at the edge: defaults of the original, every variable keeps its meaning,
// errors name the flag or variable and the bad value (never the password); the CLI exits 2 on them.
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { spawnReloader } from "../../test-support/src/haproxy/index.ts";
import { MAX_STATE_DIR, resolveOptions } from "../src/options/resolve-options.ts";
import { problemsOf } from "./helpers/problems-of.ts";

describe("resolveOptions", () => {
  it("defaults to the original's paths and ports; the base config and PEM live in the state dir", () => {
    const options = resolveOptions({}, {});
    assert.equal(options.haproxyConfig, null);
    assert.equal(options.backendConfig, "/usr/local/etc/haproxy/haproxy-backends.cfg");
    assert.equal(options.domainMap, "/usr/local/etc/haproxy/domain.map");
    assert.equal(options.ssl.certPath, "/var/run/rancher-haproxy/server.pem");
    assert.equal(options.stateDir, "/var/run/rancher-haproxy");
    assert.deepEqual([options.httpPort, options.ssl.port, options.stats.port], [80, 443, 1936]);
    assert.equal(options.ssl.enabled, false);
    assert.equal(options.stats.enabled, false);
    assert.equal(options.syslogHost, null);
    assert.equal(options.syslogFacility, "daemon");
    assert.equal(options.rancherApiHost, "rancher-metadata.rancher.internal");
    assert.equal(options.rancherApiVersion, "2015-12-19");
    assert.equal(options.hardStopAfterMs, 30_000);
    assert.equal(options.debounceMs, 200);
    assert.equal(options.userConfig, null);
    assert.equal(options.haproxyBin, "haproxy");
  });

  it("reads every variable of the original, and flags win over variables", () => {
    const options = resolveOptions(
      { "http-port": "8081" },
      {
        ENABLE_STATS: "TRUE",
        STATS_PORT: "9936",
        STATS_USERNAME: "ops",
        STATS_PASSWORD: "pa55-word",
        ENABLE_SSL: "yes",
        HAPROXY_SSL_CERT: "/certs/site.pem",
        SSL_BASE64_ENCODED: "1",
        ENABLE_SSL_REDIRECTION: "true",
        SSL_REDIRECTION_TYPE: "302",
        SYSLOG_HOST: "logs.internal:5514",
        SYSLOG_FACILITY: "LOCAL2",
        HAPROXY_CONFIG: "/etc/h/haproxy.cfg",
        HAPROXY_DOMAIN_MAP: "/etc/h/domain.map",
        HAPROXY_BACKEND_CONFIG: "/etc/h/backends.cfg",
        RANCHER_API_HOST: "127.0.0.1:8080",
        RANCHER_API_VERSION: "latest",
        HTTP_PORT: "8080",
        HTTPS_PORT: "8443",
        BIND_ADDRESS: "127.0.0.1",
        HARD_STOP_AFTER: "2m",
      },
    );
    assert.equal(options.httpPort, 8081);
    assert.deepEqual(options.stats, { enabled: true, port: 9936, username: "ops", password: "pa55-word" });
    assert.deepEqual(options.ssl, {
      enabled: true,
      port: 8443,
      certPath: "/var/run/rancher-haproxy/server.pem",
      certFile: "/certs/site.pem",
      base64Encoded: true,
      redirect: 302,
      certDir: null,
      strictSni: false,
      pollIntervalMs: 5000,
      names: { enabled: "ENABLE_SSL=true", certFile: "HAPROXY_SSL_CERT" },
    });
    assert.deepEqual(options.syslogHost, { kind: "udp", host: "logs.internal", port: 5514 });
    assert.equal(options.syslogFacility, "local2");
    assert.equal(options.haproxyConfig, "/etc/h/haproxy.cfg");
    assert.equal(options.domainMap, "/etc/h/domain.map");
    assert.equal(options.backendConfig, "/etc/h/backends.cfg");
    assert.equal(options.rancherApiHost, "127.0.0.1:8080");
    assert.equal(options.rancherApiVersion, "latest");
    assert.equal(options.bindAddress, "127.0.0.1");
    assert.equal(options.hardStopAfterMs, 120_000);
  });

  it("accepts true/false, 1/0, yes/no in any case, and a bare flag as true", () => {
    for (const [text, value] of [
      ["True", true],
      ["YES", true],
      ["1", true],
      ["no", false],
      ["FALSE", false],
      ["0", false],
    ] as const)
      assert.equal(resolveOptions({}, { ENABLE_SSL: text }).ssl.enabled, value, text);
    assert.equal(resolveOptions({ "enable-ssl": "" }, {}).ssl.enabled, true);
  });

  it("rejects other boolean values naming the variable and the value", () => {
    assert.deepEqual(problemsOf({ ENABLE_SSL: "on" }), [
      'invalid ENABLE_SSL "on": must be true or false (also 1/0, yes/no)',
    ]);
    assert.deepEqual(problemsOf({}, { "enable-stats": "maybe" }), [
      'invalid --enable-stats "maybe": must be true or false (also 1/0, yes/no)',
    ]);
  });

  it("accepts SSL_REDIRECTION_TYPE 301, 302, 303, 307, 308 only", () => {
    for (const code of [301, 302, 303, 307, 308])
      assert.equal(
        resolveOptions(
          {},
          { ENABLE_SSL: "true", ENABLE_SSL_REDIRECTION: "true", SSL_REDIRECTION_TYPE: String(code) },
        ).ssl.redirect,
        code,
      );
    assert.match(
      problemsOf({ SSL_REDIRECTION_TYPE: "300" })[0] ?? "",
      /^invalid SSL_REDIRECTION_TYPE "300": must be one of 301, 302, 303, 307, 308$/,
    );
    assert.equal(resolveOptions({}, { ENABLE_SSL: "true", SSL_REDIRECTION_TYPE: "308" }).ssl.redirect, null);
  });

  it("validates SYSLOG_HOST as stdout, an IP or a DNS name with an optional port", () => {
    const ok = (value: string) => resolveOptions({}, { SYSLOG_HOST: value }).syslogHost;
    assert.deepEqual(ok("stdout"), { kind: "stdout" });
    assert.deepEqual(ok("10.1.2.3"), { kind: "udp", host: "10.1.2.3", port: null });
    assert.deepEqual(ok("syslog.example.com:514"), { kind: "udp", host: "syslog.example.com", port: 514 });
    assert.deepEqual(ok("::1"), { kind: "udp", host: "::1", port: null });
    assert.deepEqual(ok("[fd00::1]:514"), { kind: "udp", host: "fd00::1", port: 514 });
    // an IPv6 zone (`%eth0`) is refused: Node's isIP takes it, HAProxy's `log` and `bind` do not
    for (const bad of [
      "evil host",
      "a;b",
      "x:99999",
      "-bad.example",
      "1.2.3.4:",
      "host:port",
      "fe80::1%eth0",
    ])
      assert.match(problemsOf({ SYSLOG_HOST: bad })[0] ?? "", /^invalid SYSLOG_HOST ".*": must be/, bad);
    assert.match(
      problemsOf({ SYSLOG_FACILITY: "daemons" })[0] ?? "",
      /^invalid SYSLOG_FACILITY "daemons": must be one of kern, user/,
    );
  });

  // Node's isIP refuses these, so they passed as DNS names; HAProxy's resolver (inet_aton) reads them as
  // IPv4 addresses of its own: `log 127.000.000.010 daemon` sent to 127.0.0.8 (octal), `1234` to 0.0.4.210.
  it("refuses a SYSLOG_HOST or RANCHER_API_HOST whose last label is a number: no IP address, no DNS name", () => {
    for (const bad of ["127.000.000.010", "127.000.000.010:5514", "1234", "0x7f.1", "10.1.2", "logs.123"]) {
      assert.match(problemsOf({ SYSLOG_HOST: bad })[0] ?? "", /^invalid SYSLOG_HOST ".*": must be/, bad);
      assert.match(
        problemsOf({ RANCHER_API_HOST: bad })[0] ?? "",
        /^invalid RANCHER_API_HOST ".*": must be/,
        bad,
      );
    }
    const ok = (value: string) => resolveOptions({}, { SYSLOG_HOST: value }).syslogHost;
    assert.deepEqual(ok("logs1.example"), { kind: "udp", host: "logs1.example", port: null });
    assert.deepEqual(ok("10.1.2.3:514"), { kind: "udp", host: "10.1.2.3", port: 514 });
    assert.deepEqual(ok("123.example"), { kind: "udp", host: "123.example", port: null });
  });

  it("refuses the default stats credentials unless STATS_ALLOW_DEFAULT_PASSWORD=true", () => {
    assert.match(
      problemsOf({ ENABLE_STATS: "true" })[0] ?? "",
      /default STATS_PASSWORD .*whatever STATS_USERNAME.*STATS_ALLOW_DEFAULT_PASSWORD=true/,
    );
    assert.equal(
      resolveOptions({}, { ENABLE_STATS: "true", STATS_ALLOW_DEFAULT_PASSWORD: "true" }).stats.password,
      "haproxy",
    );
    assert.deepEqual(problemsOf({ ENABLE_STATS: "false" }), []);
  });

  // The rules between options named the variables even when the user gave flags: `--http-port 80
  // --stats-port 80` was refused as "HTTP_PORT and STATS_PORT are both 80", two variables never set.
  it("names what the user set in a clash: the flag given, else the variable (set or default)", () => {
    const stats = { "enable-stats": "true", "stats-password": "s3cret" };
    assert.deepEqual(problemsOf({}, { "http-port": "80", "stats-port": "80", ...stats }), [
      "--http-port and --stats-port are both 80: each listener needs its own port",
    ]);
    assert.deepEqual(problemsOf({ HTTP_PORT: "8080" }, { "status-port": "8080" }), [
      "--status-port and HTTP_PORT are both 8080: each listener needs its own port",
    ]);
    assert.deepEqual(problemsOf({}, { "tcp-ports": "80,5432,5432" }), [
      "--tcp-ports lists 80, which is HTTP_PORT: each listener needs its own port",
      "--tcp-ports lists 5432 twice",
    ]);
    assert.deepEqual(problemsOf({ TCP_PORTS: "9100" }, { "status-port": "9100" }), [
      "TCP_PORTS lists 9100, which is --status-port: each listener needs its own port",
    ]);
    assert.match(
      problemsOf({}, { "enable-stats": "true" })[0] ?? "",
      /^--enable-stats with the default STATS_PASSWORD .*STATS_ALLOW_DEFAULT_PASSWORD=true/,
    );
    assert.match(
      problemsOf({}, { "enable-stats": "true", "stats-password": "haproxy" })[0] ?? "",
      /^--enable-stats with the default --stats-password /,
    );
    assert.match(
      problemsOf({}, { "enable-ssl-redirection": "true" })[0] ?? "",
      /^--enable-ssl-redirection needs ENABLE_SSL=true /,
    );
    assert.match(
      problemsOf({ ENABLE_SSL_REDIRECTION: "true" }, { "enable-ssl": "false" })[0] ?? "",
      /^ENABLE_SSL_REDIRECTION=true needs --enable-ssl /,
    );
    assert.deepEqual(problemsOf({}, { "enable-ssl": "true", "state-dir": "/tmp/rh x" }), [
      'invalid --state-dir "/tmp/rh x": with --enable-ssl only letters, digits and ._/@:+- (a crt-list and the runtime API cannot quote a path)',
    ]);
  });

  // generate-maps refuses one file for both; the reloader took it, found the map's lines no backends file
  // (inputs.rejected) and served every host 503 from empty routing, for good.
  it("refuses one file as both the map and the backends, as generate-maps does", () => {
    assert.deepEqual(problemsOf({ HAPROXY_DOMAIN_MAP: "/x/same" }, { backends: "/x/../x/same" }), [
      "HAPROXY_DOMAIN_MAP and --backends are the same file: /x/same (the map and the backends are two files)",
    ]);
    assert.deepEqual(problemsOf({ HAPROXY_DOMAIN_MAP: "/x/map", HAPROXY_BACKEND_CONFIG: "/x/cfg" }), []);
  });

  it("restricts stats credentials and never echoes the password", () => {
    const problems = problemsOf({
      ENABLE_STATS: "true",
      STATS_USERNAME: "ops",
      STATS_PASSWORD: "hunter2 #secret",
    });
    assert.equal(problems.length, 1);
    assert.match(problems[0] ?? "", /^invalid STATS_PASSWORD \(value not shown\): must be 1-128 of/);
    assert.ok(!problems.join("").includes("hunter2"));
    assert.match(problemsOf({ STATS_USERNAME: "a:b" })[0] ?? "", /^invalid STATS_USERNAME "a:b": must be/);
  });

  it("rejects bad ports, addresses, durations and clashing listeners, all at once", () => {
    const problems = problemsOf({
      HTTP_PORT: "0",
      HTTPS_PORT: "70000",
      STATS_PORT: "http",
      BIND_ADDRESS: "localhost",
      HARD_STOP_AFTER: "soon",
      RANCHER_API_VERSION: "v1",
    });
    assert.deepEqual(
      [...problems].sort(),
      [
        'invalid BIND_ADDRESS "localhost": must be empty or an IPv4/IPv6 address',
        'invalid HTTP_PORT "0": must be a port number 1-65535',
        'invalid HTTPS_PORT "70000": must be a port number 1-65535',
        'invalid STATS_PORT "http": must be a port number 1-65535',
        'invalid RANCHER_API_VERSION "v1": must be one of 2015-07-25, 2015-12-19, 2016-07-29, latest',
        'invalid HARD_STOP_AFTER "soon": must be a duration like 500ms, 30s, 2m or 1h, from 1ms to 86400s',
      ].sort(),
    );
    assert.deepEqual(problemsOf({ ENABLE_SSL: "true", HTTPS_PORT: "80" }), [
      "HTTPS_PORT and HTTP_PORT are both 80: each listener needs its own port",
    ]);
    assert.match(problemsOf({ ENABLE_SSL_REDIRECTION: "true" })[0] ?? "", /needs ENABLE_SSL=true/);
    assert.match(problemsOf({ BIND_ADDRESS: "fe80::1%lo" })[0] ?? "", /^invalid BIND_ADDRESS "fe80::1%lo"/);
  });

  it("refuses HARD_STOP_AFTER=0, which HAProxy reads as no hard stop at all (old workers never cut)", () => {
    // `hard-stop-after 0ms` is HAProxy's unset value: an old worker holding a connection lives on for as
    // long as that connection does, the opposite of a bound of 0.
    for (const zero of ["0", "0ms", "0s", "0h"])
      assert.deepEqual(problemsOf({ HARD_STOP_AFTER: zero }), [
        `invalid HARD_STOP_AFTER "${zero}": must be a duration like 500ms, 30s, 2m or 1h, from 1ms to 86400s`,
      ]);
    assert.equal(resolveOptions({ "hard-stop-after": "1ms" }, {}).hardStopAfterMs, 1);
  });

  it("refuses a RELOADER_RELOAD_TIMEOUT under 1s: a reload takes a few hundred ms, and 0 failed every start", () => {
    for (const short of ["0", "999", "500ms", "0s"])
      assert.deepEqual(problemsOf({ RELOADER_RELOAD_TIMEOUT: short }), [
        `invalid RELOADER_RELOAD_TIMEOUT "${short}": must be a duration like 500ms, 30s, 2m or 1h, from 1000ms to 600s`,
      ]);
    assert.equal(resolveOptions({ "reload-timeout": "1s" }, {}).reloadTimeoutMs, 1000);
  });

  it("rejects a state dir too long for the sockets and paths no haproxy.cfg quoting can hold", () => {
    assert.match(
      problemsOf({ RELOADER_STATE_DIR: `/tmp/${"x".repeat(120)}` })[0] ?? "",
      /too long for a unix socket path/,
    );
    const dir = (bytes: number) => `/tmp/${"x".repeat(bytes - 5)}`;
    assert.deepEqual(problemsOf({ RELOADER_STATE_DIR: dir(MAX_STATE_DIR) }), []);
    assert.match(
      problemsOf({ RELOADER_STATE_DIR: dir(MAX_STATE_DIR + 1) })[0] ?? "",
      /^invalid RELOADER_STATE_DIR "\/tmp\/x+": too long for a unix socket path \(max 85 bytes\)/,
    );
    assert.match(
      problemsOf({ RELOADER_STATE_DIR: "/tmp/a,b" })[0] ?? "",
      /^invalid RELOADER_STATE_DIR "\/tmp\/a,b": no comma allowed/,
    );
    // HAProxy expands `$HOME` and `${HOME}` in haproxy.cfg even inside single quotes (a lone `$` is
    // dropped): the admin socket would be bound at another path, or HAProxy would not start
    for (const dir of ["/tmp/rh$HOME", "/tmp/rh${X}", "/tmp/a$/b"])
      assert.match(
        problemsOf({ RELOADER_STATE_DIR: dir })[0] ?? "",
        /^invalid RELOADER_STATE_DIR ".*": no \$ allowed/,
        dir,
      );
    // With ENABLE_SSL the crt-list and the runtime API take the dir's paths unquoted: an option problem,
    // before anything starts (a comma or `$` is refused above, and alone).
    assert.deepEqual(problemsOf({ ENABLE_SSL: "true", RELOADER_STATE_DIR: "/tmp/rh x" }), [
      'invalid RELOADER_STATE_DIR "/tmp/rh x": with ENABLE_SSL=true only letters, digits and ._/@:+- (a crt-list and the runtime API cannot quote a path)',
    ]);
    assert.equal(problemsOf({ ENABLE_SSL: "true", RELOADER_STATE_DIR: "/tmp/a,b" }).length, 1);
    assert.deepEqual(problemsOf({ RELOADER_STATE_DIR: "/tmp/rh x" }), []);
    assert.match(
      problemsOf({ HAPROXY_SSL_CERT: "/certs/it's.pem" })[0] ?? "",
      /^invalid HAPROXY_SSL_CERT ".*": must be a file path without quotes/,
    );
  });
});

describe("reloader CLI", () => {
  it("exits 2 listing every bad option, without starting anything", async () => {
    const child = spawnReloader({
      env: { HTTP_PORT: "eighty", ENABLE_SSL: "maybe", STATS_PASSWORD: "bad pass", ENABLE_STATS: "1" },
    });
    const exit = await child.exited;
    assert.deepEqual(exit, { code: 2, signal: null });
    const text = child.logs.map((line) => line.raw ?? "").join("\n");
    assert.match(text, /HTTP_PORT "eighty": must be a port number/);
    assert.match(text, /ENABLE_SSL "maybe": must be true or false/);
    assert.match(text, /STATS_PASSWORD \(value not shown\): must be/);
    assert.ok(!text.includes("bad pass"));
  });

  it("refuses a state dir ENABLE_SSL cannot use before it looks for a certificate", async () => {
    // Before, the certificate was prepared first: without one, its error hid the state dir's.
    const stateDir = join(tmpdir(), `rh state ${process.pid}`);
    after(() => rmSync(stateDir, { recursive: true, force: true }));
    const child = spawnReloader({
      env: {
        ENABLE_SSL: "true",
        RELOADER_STATE_DIR: stateDir,
        RANCHER_API_HOST: "127.0.0.1:1",
        SYSLOG_HOST: "stdout",
      },
    });
    assert.deepEqual(await child.exited, { code: 2, signal: null });
    const text = child.logs.map((line) => line.raw ?? "").join("\n");
    assert.match(text, /invalid RELOADER_STATE_DIR ".*rh state \d+": with ENABLE_SSL=true only letters/);
    assert.doesNotMatch(text, /certificate/);
  });

  it("names the flags of a port clash given as flags (exit 2, one line)", async () => {
    const child = spawnReloader({
      args: ["--http-port", "18080", "--stats-port", "18080", "--enable-stats", "--stats-password", "s3cret"],
    });
    assert.deepEqual(await child.exited, { code: 2, signal: null });
    assert.deepEqual(
      child.logs.map((line) => line.raw ?? ""),
      ["reloader: --http-port and --stats-port are both 18080: each listener needs its own port"],
    );
  });

  it("rejects unknown flags with exit 2 and one line, no help dump", async () => {
    const child = spawnReloader({ args: ["--no-such-flag"] });
    const exit = await child.exited;
    assert.deepEqual(exit, { code: 2, signal: null });
    assert.deepEqual(
      child.logs.map((line) => line.raw ?? ""),
      ["reloader: Unknown argument: no-such-flag (see --help)"],
    );
  });
});
