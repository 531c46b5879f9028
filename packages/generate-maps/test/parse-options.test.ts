// The edge: flags and environment variables (the original's names), defaults, precedence, one-line errors.
import assert from "node:assert/strict";
import { test } from "node:test";
import { OptionsError, optionRowsOf } from "@rancher-haproxy/core";
import { parseOptions, type GeneratorOptions } from "../src/index.js";

const VALUE_OPTIONS = optionRowsOf("generate-maps").flatMap(([, row]) =>
  row.env === null ? [] : [{ flag: row.flag, env: row.env }],
);

const ENV = { STACK_DOMAIN: "dev.tld" };

async function options(argv: string[], env: NodeJS.ProcessEnv = ENV): Promise<GeneratorOptions> {
  const parsed = await parseOptions(argv, env);
  assert.equal(parsed.kind, "run");
  return parsed.kind === "run" ? parsed.options : assert.fail("not a run");
}

async function rejects(argv: string[], env: NodeJS.ProcessEnv, message: RegExp): Promise<void> {
  await assert.rejects(parseOptions(argv, env), (error: unknown) => {
    assert.ok(error instanceof OptionsError, String(error));
    assert.match(error.message, message);
    assert.ok(!error.message.includes("\n"), "one line");
    return true;
  });
}

test("defaults are the original's", async () => {
  assert.deepEqual(await options([]), {
    domain: "dev.tld",
    apiHost: "rancher-metadata.rancher.internal",
    apiVersion: "2015-12-19",
    label: "map-public-http",
    proxyLabel: "send-proxy",
    tcpLabel: "map-public-tcp",
    domainMapPath: "/usr/local/etc/haproxy/domain.map",
    backendsPath: "/usr/local/etc/haproxy/haproxy-backends.cfg",
    intervalMs: 10_000,
    once: false,
    dryRun: false,
    logLevel: "info",
    logFormat: undefined,
    status: { port: 9101, bind: "127.0.0.1", token: null },
    explain: null,
    json: false,
    requestTimeoutMs: 5000,
    maxRemovalShare: 0.5,
    removalConfirmMs: 30_000,
    metadataMaxBytes: 64 * 1024 * 1024,
  });
});

test("every option reads its environment variable, and its flag wins over it", async () => {
  const env = {
    STACK_DOMAIN: "Env.TLD",
    RANCHER_API_HOST: "127.0.0.1:8080",
    RANCHER_API_VERSION: "latest",
    RANCHER_LABEL: "io.example/port",
    RANCHER_PROXY_LABEL: "proxy",
    RANCHER_TCP_LABEL: "io.example/tcp",
    HAPROXY_DOMAIN_MAP: "/env/domain.map",
    HAPROXY_BACKEND_CONFIG: "/env/backends.cfg",
    POLL_INTERVAL: "2.5",
    LOG_LEVEL: "DEBUG",
    LOG_FORMAT: "pretty",
    MAX_REMOVAL_SHARE: "0.25",
    REMOVAL_CONFIRM_SECONDS: "0",
    STATUS_PORT: "off",
    STATUS_BIND: "::",
    STATUS_TOKEN: "a-token-of-20-chars!",
    BACKEND_NETWORKS: "10.42.0.0/16, 127.0.0.0/8",
    METADATA_MAX_BYTES: "1048576",
  };
  assert.deepEqual(
    VALUE_OPTIONS.map((o) => o.env).sort(),
    Object.keys(env).sort(),
    "the table covers every variable",
  );
  const fromEnv = await options([], env);
  assert.deepEqual(
    [fromEnv.domain, fromEnv.apiHost, fromEnv.apiVersion, fromEnv.label, fromEnv.proxyLabel],
    ["env.tld", "127.0.0.1:8080", "latest", "io.example/port", "proxy"],
  );
  assert.deepEqual(
    [fromEnv.domainMapPath, fromEnv.backendsPath, fromEnv.intervalMs],
    ["/env/domain.map", "/env/backends.cfg", 2500],
  );
  assert.deepEqual([fromEnv.logLevel, fromEnv.logFormat], ["debug", "pretty"]);
  assert.deepEqual([fromEnv.maxRemovalShare, fromEnv.removalConfirmMs], [0.25, 0]);
  assert.deepEqual(fromEnv.status, { port: null, bind: "::", token: "a-token-of-20-chars!" });
  assert.deepEqual(fromEnv.backendNetworks, ["10.42.0.0/16", "127.0.0.0/8"]);
  assert.equal(fromEnv.metadataMaxBytes, 1_048_576);
  assert.equal(fromEnv.tcpLabel, "io.example/tcp");
  const fromFlags = await options(
    [
      "--domain=flag.tld",
      "--api-host",
      "[::1]:9000",
      "--api-version",
      "2016-07-29",
      "--label",
      "l1",
      "--proxy-label",
      "l2",
      "--tcp-label",
      "l3",
      "--domain-map",
      "/flag/d.map",
      "--backends",
      "/flag/b.cfg",
      "--interval",
      "30",
      "--log-level",
      "warn",
      "--log-format",
      "json",
      "--max-removal-share",
      "1",
      "--removal-confirm-seconds",
      "2.5",
      "--status-port",
      "0",
      "--status-bind",
      "0.0.0.0",
      "--status-token",
      "flag-token-0123456789",
      "--backend-networks",
      "192.0.2.0/24",
      "--metadata-max-bytes",
      "65536",
      "--once",
      "--dry-run",
    ],
    env,
  );
  assert.deepEqual(fromFlags, {
    domain: "flag.tld",
    apiHost: "[::1]:9000",
    apiVersion: "2016-07-29",
    label: "l1",
    proxyLabel: "l2",
    tcpLabel: "l3",
    domainMapPath: "/flag/d.map",
    backendsPath: "/flag/b.cfg",
    intervalMs: 30_000,
    once: true,
    dryRun: true,
    logLevel: "warn",
    logFormat: "json",
    status: { port: 0, bind: "0.0.0.0", token: "flag-token-0123456789" },
    explain: null,
    json: false,
    requestTimeoutMs: 5000,
    maxRemovalShare: 1,
    removalConfirmMs: 2500,
    backendNetworks: ["192.0.2.0/24"],
    metadataMaxBytes: 65_536,
  });
});

test("a missing domain names STACK_DOMAIN; an empty variable counts as missing", async () => {
  await rejects([], {}, /^STACK_DOMAIN is required/);
  await rejects([], { STACK_DOMAIN: "" }, /^STACK_DOMAIN is required/);
});

const BAD: [string[], NodeJS.ProcessEnv, RegExp][] = [
  [[], { ...ENV, POLL_INTERVAL: "abc" }, /^invalid POLL_INTERVAL "abc": must be a number of seconds/],
  [["--interval", "0"], ENV, /^invalid --interval "0"/],
  [["--interval", "-5"], ENV, /--interval/],
  [["--interval", "1e3"], ENV, /^invalid --interval "1e3"/],
  [["--interval", "86401"], ENV, /^invalid --interval "86401"/],
  [
    ["--api-version", "2099-01-01"],
    ENV,
    /^invalid --api-version "2099-01-01": must be one of 2015-07-25, 2015-12-19, 2016-07-29, latest/,
  ],
  [[], { ...ENV, RANCHER_API_VERSION: "2015-06-01" }, /^invalid RANCHER_API_VERSION "2015-06-01"/],
  [[], { STACK_DOMAIN: "not a domain" }, /^invalid STACK_DOMAIN "not a domain": must be a DNS name/],
  [["--domain", "dev_tld"], ENV, /^invalid --domain "dev_tld"/],
  [["--domain", "dev.tld."], ENV, /^invalid --domain "dev.tld."/],
  [["--domain", "*.dev.tld"], ENV, /^invalid --domain/],
  // the Kelvin sign lower-cases to `k`: refused, not read as kdev.tld
  [["--domain", "\u212Adev.tld"], ENV, /^invalid --domain .*: must be a DNS name/],
  [
    [],
    { ...ENV, RANCHER_API_HOST: "http://rancher-metadata" },
    /^invalid RANCHER_API_HOST "http:\/\/rancher-metadata": must be host or host:port/,
  ],
  [["--api-host", "host:70000"], ENV, /^invalid --api-host "host:70000"/],
  [["--api-host", "host/path"], ENV, /^invalid --api-host/],
  [[], { ...ENV, RANCHER_LABEL: "bad label" }, /^invalid RANCHER_LABEL "bad label"/],
  [["--proxy-label", "map-public-http"], ENV, /RANCHER_LABEL and RANCHER_PROXY_LABEL .* must differ/],
  [
    ["--tcp-label", "map-public-http"],
    ENV,
    /RANCHER_TCP_LABEL \(--tcp-label\) and RANCHER_LABEL .* must differ/,
  ],
  [
    ["--backends", "/x/../x/same"],
    { ...ENV, HAPROXY_DOMAIN_MAP: "/x/same" },
    /HAPROXY_DOMAIN_MAP and HAPROXY_BACKEND_CONFIG .* same file/,
  ],
  [[], { ...ENV, LOG_LEVEL: "loud" }, /^invalid LOG_LEVEL "loud": must be fatal, error/],
  [["--log-format", "xml"], ENV, /^invalid --log-format "xml": must be json or pretty/],
  [["--domain", "a.tld", "--domain", "b.tld"], ENV, /^--domain is given more than once/],
  [["--interval"], ENV, /interval/],
  [["--bogus"], ENV, /Unknown argument: bogus \(see --help\)/],
  [["positional"], ENV, /Unknown argument: positional/],
  [["--domain", "line\nbreak"], ENV, /^invalid --domain "line\\nbreak"/],
  [[], { ...ENV, MAX_REMOVAL_SHARE: "50%" }, /^invalid MAX_REMOVAL_SHARE "50%": must be a share from 0 to 1/],
  [["--max-removal-share", "1.5"], ENV, /^invalid --max-removal-share "1.5"/],
  [["--max-removal-share", "-0.1"], ENV, /--max-removal-share/],
  [
    [],
    { ...ENV, REMOVAL_CONFIRM_SECONDS: "soon" },
    /^invalid REMOVAL_CONFIRM_SECONDS "soon": must be a number of seconds from 0 \(off\)/,
  ],
  [["--removal-confirm-seconds", "86401"], ENV, /^invalid --removal-confirm-seconds "86401"/],
];

test("invalid values fail with one line naming the flag or variable and the bad value", async () => {
  for (const [argv, env, message] of BAD) await rejects(argv, env, message);
});

test("--help returns the help text, listing every flag with its variable and default", async () => {
  const parsed = await parseOptions(["--help"], {});
  assert.equal(parsed.kind, "help");
  if (parsed.kind !== "help") return;
  for (const option of VALUE_OPTIONS) {
    assert.ok(parsed.text.includes(`--${option.flag}`), option.flag);
    assert.ok(parsed.text.includes(option.env), option.env);
  }
  assert.match(parsed.text, /--once/);
  assert.match(parsed.text, /--dry-run/);
  assert.match(parsed.text, /default 2015-12-19/);
});

// The rules between options stopped at the first broken one: a start refused for the labels was refused
// again, once they were fixed, for the files (docs/options.md: several bad values are reported together).
test("every broken rule between options is reported on the one line, not only the first", async () => {
  await assert.rejects(
    parseOptions(["--proxy-label", "map-public-http", "--domain-map", "/x/same", "--backends", "/x/same"], {
      ...ENV,
      RANCHER_TCP_LABEL: "map-public-http",
    }),
    (error: unknown) => {
      assert.ok(error instanceof OptionsError, String(error));
      assert.equal(error.problems.length, 3, error.message);
      assert.match(error.problems[0] ?? "", /^RANCHER_LABEL and RANCHER_PROXY_LABEL .* must differ/);
      assert.match(
        error.problems[1] ?? "",
        /^RANCHER_TCP_LABEL \(--tcp-label\) and RANCHER_LABEL .* must differ/,
      );
      assert.match(error.problems[2] ?? "", /^HAPROXY_DOMAIN_MAP and HAPROXY_BACKEND_CONFIG .* same file/);
      return true;
    },
  );
  await assert.rejects(parseOptions(["--json", "--once"], ENV), (error: unknown) => {
    assert.ok(error instanceof OptionsError, String(error));
    assert.deepEqual(error.problems, [
      "--json is for --explain only: give --explain <container or host> with it",
    ]);
    return true;
  });
});
