// The rendered base config: deterministic text with the expected pieces, and every option combination
// accepted by the real `haproxy -c` (with no warnings) together with a generated backends file.
import assert from "node:assert/strict";
import { copyFile, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { after, before, describe, it } from "node:test";
import { checkConfig } from "../src/haproxy/check-config.ts";
import type { SyslogTarget } from "@rancher-haproxy/core";
import type { RedirectCode } from "../src/options/reloader-options.ts";
import type { BaseConfigInput } from "../src/render/base-config-input.ts";
import { configFiles } from "../src/output/snapshot-layout.ts";
import { renderBaseConfig } from "../src/render/render-base-config.ts";
import { renderRoutingRules, SUBDOMAIN_LEVELS } from "../src/render/render-routing-rules.ts";
import { MAX_PATH_DEPTH, renderBackends } from "@rancher-haproxy/core";
import { renderTestBackends, renderTestMap } from "../../test-support/src/haproxy/index.ts";
import { baseConfigInput } from "./helpers/base-config-input.ts";
import { recordedCertificate } from "./helpers/test-certificate.ts";

let dir = "";
let certPath = "";

const base = (overrides: Partial<BaseConfigInput> = {}): BaseConfigInput => baseConfigInput(dir, overrides);

describe("renderBaseConfig", () => {
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "rh-render-"));
    certPath = join(dir, "server.pem");
    const { cert, key } = recordedCertificate();
    await writeFile(certPath, `${cert.trim()}\n${key.trim()}\n`);
    await writeFile(join(dir, "domain.map"), renderTestMap({ "app.dev.tld": "app", "www.dev.tld": "app" }));
    await writeFile(join(dir, "path-hosts.map"), "");
    // an HTTP backend, one with option lines (issue 13: its own timeout tunnel beside the defaults' 1h)
    // and a TCP service's: the defaults must give no warning for any of them
    const withOptions = renderBackends({
      backends: [
        {
          name: "ws",
          servers: [{ name: "s1", address: "127.0.0.4", port: 9, check: true, maxconn: 5, cookie: "abc" }],
          options: { sticky: true, check: "/health", timeoutServer: "90s", timeoutTunnel: "2h", hsts: 60 },
        },
      ],
    });
    await writeFile(
      join(dir, "backends.cfg"),
      renderTestBackends([
        {
          name: "app",
          servers: [{ address: "127.0.0.1:9" }, { address: "127.0.0.2:9", sendProxy: "send-proxy-v2" }],
        },
        { name: "tcp_5432", mode: "tcp", servers: [{ address: "127.0.0.3:5432", sendProxy: "send-proxy" }] },
      ]) + withOptions.slice(withOptions.indexOf("\n\n") + 1),
    );
  });
  after(() => rm(dir, { recursive: true, force: true }));

  const logs: SyslogTarget[] = [
    { kind: "stdout" },
    { kind: "udp", host: "127.0.0.250", port: null },
    { kind: "udp", host: "127.0.0.1", port: 5514 },
    { kind: "udp", host: "localhost", port: 514 },
    { kind: "udp", host: "::1", port: null },
    { kind: "udp", host: "::1", port: 514 },
  ];
  const redirects: (RedirectCode | null)[] = [null, 301, 302, 303, 307, 308];
  const combos = (): [string, BaseConfigInput][] => {
    const list: [string, BaseConfigInput][] = [];
    for (const bindAddress of ["", "127.0.0.1", "::1", "::"])
      for (const log of logs)
        list.push([
          `bind ${bindAddress || "*"}, log ${JSON.stringify(log)}`,
          base({ bindAddress, log, httpPort: 8080 }),
        ]);
    for (const redirect of redirects)
      for (const stats of [null, { port: 1936, username: "admin", password: "s3cr.t~+=@%^*!,/?-" }])
        list.push([
          `https redirect ${redirect}, stats ${stats ? "on" : "off"}`,
          base({
            https: { port: 8443, certPath: "", redirect },
            stats,
            facility: "local3",
            hardStopAfterMs: 1500,
          }),
        ]);
    // TCP services: 5432 has a backend in backends.cfg, 6379 none (yet)
    for (const bindAddress of ["", "::1"])
      list.push([
        `TCP_PORTS 5432,6379, bind ${bindAddress || "*"}`,
        base({ bindAddress, tcpPorts: [5432, 6379] }),
      ]);
    list.push([
      "TCP_PORTS 5432 with HTTPS (strict SNI) and a redirect",
      base({ tcpPorts: [5432], https: { port: 8443, certPath: "", redirect: 301, strictSni: true } }),
    ]);
    return list;
  };

  it("every option combination passes the real haproxy -c without warnings", async () => {
    for (const [name, input] of combos()) {
      const withCert = input.https ? { ...input, https: { ...input.https, certPath } } : input;
      const path = join(dir, "haproxy.cfg");
      await writeFile(path, renderBaseConfig(withCert));
      const check = await checkConfig("haproxy", [path, join(dir, "backends.cfg")]);
      assert.equal(check.ok, true, `${name}:\n${check.output}`);
      assert.doesNotMatch(check.output, /\[(WARNING|ALERT)\]/, `${name}:\n${check.output}`);
    }
  });

  it("paths with spaces and # (accepted by the option table) are quoted and pass the real haproxy -c", async () => {
    const spaced = join(dir, "a dir #1");
    await mkdir(spaced, { recursive: true });
    const cert = join(spaced, "my cert.pem");
    await copyFile(certPath, cert);
    await copyFile(join(dir, "domain.map"), join(spaced, "domain.map"));
    await copyFile(join(dir, "path-hosts.map"), join(spaced, "path-hosts.map"));
    const input = base({
      adminSocket: join(spaced, "admin.sock"),
      https: { port: 8443, certPath: cert, redirect: null },
      httpPort: 8080,
    });
    const text = renderBaseConfig(input);
    assert.ok(text.includes(`stats socket '${join(spaced, "admin.sock")}' mode 600`), text);
    assert.ok(text.includes(`ssl crt '${cert}'`), text);
    const path = join(spaced, "haproxy.cfg");
    await writeFile(path, text);
    const check = await checkConfig("haproxy", [path, join(dir, "backends.cfg")]);
    assert.equal(check.ok, true, check.output);
    assert.doesNotMatch(check.output, /\[(WARNING|ALERT)\]/, check.output);
  });

  it("is deterministic: the same options give the same bytes", () => {
    for (const [, input] of combos())
      assert.equal(renderBaseConfig(input), renderBaseConfig(structuredClone(input)));
  });

  // The header told a reader of /config that HAProxy loads haproxy-backends.cfg; it loads the snapshot's
  // backends.cfg (configFiles), the reloader's slotted rendering of it, whose section /config shows next.
  it("names, in its load order, the files HAProxy is started with", () => {
    const loadOrder = renderBaseConfig(base())
      .split("\n")
      .find((line) => line.startsWith("# Load order:"));
    const files = configFiles("/state/current").map((path) => basename(path));
    const command = `haproxy ${files.map((file) => `-f ${file}`).join(" ")}`;
    assert.ok(loadOrder?.includes(`${command} `) || loadOrder?.includes(`${command};`), loadOrder);
  });

  it("holds the reload-safety defaults and the master-worker globals", () => {
    const text = renderBaseConfig(base({ hardStopAfterMs: 45_000 }));
    for (const line of [
      "default-path config",
      `stats socket ${join(dir, "admin.sock")} mode 600 level admin expose-fd listeners`,
      "hard-stop-after 45000ms",
      "httpclient.ssl.verify none",
      "tune.pattern.cache-size 0",
      "option idle-close-on-response",
      "option redispatch",
      "retries 3",
      "option forwardfor",
      "timeout http-keep-alive 10s",
      "default_backend rh_no_route",
      'http-request return status 503 content-type text/plain string "no route for this host"',
    ])
      assert.ok(text.includes(`    ${line}\n`), line);
    assert.doesNotMatch(text, /map_dom|reqadd|#[A-Z_]+#/);
  });

  it("renders the syslog target, facility, binds, TLS and redirect lines", () => {
    const text = renderBaseConfig(
      base({
        bindAddress: "::1",
        log: { kind: "udp", host: "10.0.0.1", port: 514 },
        facility: "local5",
        https: { port: 443, certPath: "/etc/ssl/x.pem", redirect: 301 },
      }),
    );
    assert.match(text, /^ {4}log 10\.0\.0\.1:514 local5$/m);
    assert.match(text, /^ {4}bind \[::1\]:80$/m);
    assert.match(text, /^ {4}bind \[::1\]:443 ssl crt \/etc\/ssl\/x\.pem alpn h2,http\/1\.1$/m);
    assert.match(
      text,
      /^ {4}http-request redirect location https:\/\/%\[req\.fhdr\(host\),host_only,regsub\(\\\.\$,\),concat\(,txn\.https_port\)\]%\[pathq\] code 301 if !\{ ssl_fc \} \{ req\.fhdr\(host\),host_only -m len gt 0 \}$/m,
    );
    assert.match(text, /^ {4}http-request set-header X-Forwarded-Proto https$/m);
    // HTTPS on 443: a Host's port is dropped from the Location; on another port, replaced by it.
    assert.doesNotMatch(text, /set-var\(txn\.https_port\)/);
    assert.match(
      renderBaseConfig(base({ https: { port: 8443, certPath: "/x.pem", redirect: null } })),
      /^ {4}http-request set-var\(txn\.https_port\) str\(:8443\) if \{ req\.fhdr\(host\),port_only gt 0 \} !\{ req\.fhdr\(host\),port_only eq 80 \}$/m,
    );
    assert.match(
      renderBaseConfig(base({ log: { kind: "udp", host: "::1", port: 514 } })),
      /^ {4}log \[::1\]:514 daemon$/m,
    );
    assert.doesNotMatch(renderBaseConfig(base()), /rh_https|rh_stats|redirect/);
  });

  it("renders one mode tcp frontend per TCP port, to its tcp_<port> backend by a dynamic name", () => {
    const text = renderBaseConfig(base({ bindAddress: "127.0.0.1", tcpPorts: [6379, 5432] }));
    for (const port of [6379, 5432])
      assert.ok(
        text.includes(
          `\nfrontend tcp_${port}\n    mode tcp\n    bind 127.0.0.1:${port}\n    option tcplog\n` +
            `    use_backend %[str(tcp_${port})]\n`,
        ),
        text,
      );
    assert.ok(text.indexOf("frontend tcp_6379") < text.indexOf("frontend tcp_5432"), "in TCP_PORTS order");
    assert.doesNotMatch(renderBaseConfig(base()), /tcp_/);
  });

  it("renders the stats listener with basic auth on / and the Prometheus exporter at /metrics", () => {
    const text = renderBaseConfig(base({ stats: { port: 1936, username: "ops", password: "pw" } }));
    assert.match(text, /^listen rh_stats\n {4}bind :1936\n/m);
    assert.match(
      text,
      /http-request auth realm "HAProxy Statistics" unless \{ http_auth\(rh_stats_users\) \}/,
    );
    assert.match(text, /http-request use-service prometheus-exporter if \{ path \/metrics \}/);
    assert.match(text, /^userlist rh_stats_users\n {4}user ops insecure-password pw$/m);
  });

  it("routes with exact hashed lookups, host+path first (only for hosts path-hosts.map marks), then wildcard and parent per level, never map_dom", () => {
    const rules = renderRoutingRules();
    const lookups = rules.filter((rule) => rule.startsWith("http-request set-var(txn.backend)"));
    assert.equal(rules[0], "http-request set-var(txn.host) req.hdr(host),host_only,regsub(\\.$,)");
    assert.equal(rules[1], "http-request set-var(txn.path1) path,field(1,/,2)");
    const found = " if !{ var(txn.backend) -m found }";
    const paths = (host: string) => `${found} { ${host},map_str(path-hosts.map) -m found }`;
    const wildcard = "var(txn.host),regsub(^[^.]*\\.,*.)";
    assert.deepEqual(lookups.slice(0, 5), [
      `http-request set-var(txn.backend) var(txn.host),concat(,txn.path3),map_str(domain.map)${paths("var(txn.host)")}`,
      `http-request set-var(txn.backend) var(txn.host),concat(,txn.path2),map_str(domain.map)${paths("var(txn.host)")}`,
      `http-request set-var(txn.backend) var(txn.host),concat(,txn.path1),map_str(domain.map)${paths("var(txn.host)")}`,
      `http-request set-var(txn.backend) var(txn.host),map_str(domain.map)${found}`,
      `http-request set-var(txn.backend) ${wildcard},concat(,txn.path3),map_str(domain.map)${paths(wildcard)}`,
    ]);
    assert.equal(lookups.length, (1 + 2 * SUBDOMAIN_LEVELS) * (MAX_PATH_DEPTH + 1));
    assert.ok(rules.every((rule) => !rule.includes("map_dom") && !rule.includes("map_end")));
    assert.equal(rules.at(-2), "use_backend %[var(txn.backend)] if { var(txn.backend) -m found }");
  });
});
