// The variables HAProxy 2.6 sets itself while it parses a --config, pinned with the installed binary
// (`.notice` lines under `haproxy -c -W` and a master's start and reload, in a UTS namespace with a host
// name of the test's), and a section named from them (`backend "$HAPROXY_LOCALPEER"`) read as haproxy -c
// and a reload name it. Until 2026-12-05 every HAPROXY_* variable was not known to the reader, so such a
// section was not recognised and a stack of its name failed every haproxy -c: no change went live.
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { repoPath } from "@rancher-haproxy/test-support";
import { freePort, waitFor } from "../../test-support/src/haproxy/index.ts";
import { clashingSections } from "../src/model/clashing-sections.ts";
import { environmentOf } from "../src/model/config-read-words.ts";
import { readHaproxyBuild } from "../src/sources/read-haproxy-build.ts";

// The HAPROXY_* names the installed binary holds (strings /usr/sbin/haproxy | grep HAPROXY_), but for the
// HAPROXY_SERVER_* and HAPROXY_PROXY_* an external check's child alone is given.
const NAMES = [
  "HAPROXY_CFGFILES",
  "HAPROXY_CLI",
  "HAPROXY_LOCALPEER",
  "HAPROXY_MASTER_CLI",
  "HAPROXY_MWORKER",
  "HAPROXY_MWORKER_REEXEC",
  "HAPROXY_PROCESSES",
  "HAPROXY_STARTUP_VERSION",
  "HAPROXY_SERVER_NAME",
];

// `command` run in a UTS namespace of its own whose host name is `host` (the suite runs as root).
function inHost(host: string, command: readonly string[]): string[] {
  return ["unshare", "--uts", "sh", "-c", 'hostname "$0" && exec "$@"', host, ...command];
}

const DEFAULTS =
  "defaults\n    mode http\n    timeout connect 1s\n    timeout client 1s\n    timeout server 1s\n";

// The variables each parse reported, by name, from `.notice "<name>=[...]"` lines, one map per parse.
function noticed(output: string): Map<string, string>[] {
  const parses: Map<string, string>[] = [];
  for (const line of output.split("\n")) {
    if (line.includes("parsing [") && line.includes("'BEGIN'")) parses.push(new Map());
    const found = /'(HAPROXY_[A-Z_]+)=\[(.*)\]'\.$/.exec(line);
    if (found !== null) parses.at(-1)?.set(found[1]!, found[2]!);
  }
  return parses;
}

test("HAProxy sets HAPROXY_LOCALPEER and HAPROXY_STARTUP_VERSION at each parse, and a master's reload HAPROXY_MWORKER and its files, sockets and pids", async (t) => {
  const build = await readHaproxyBuild("haproxy");
  assert.ok(build.ok);
  const dir = await mkdtemp(join(tmpdir(), "rh-set-variables-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const config = join(dir, "haproxy.cfg");
  const master = join(dir, "master.sock");
  const port = await freePort();
  const lines = [
    "global",
    `    stats socket ${dir}/stats.sock mode 600 level admin`,
    "    hard-stop-after 1s",
    '    .notice "BEGIN"',
    ...NAMES.flatMap((name) => [`.if defined(${name})`, `    .notice "${name}=[\${${name}}]"`, ".endif"]),
    DEFAULTS,
    "frontend f",
    `    bind 127.0.0.1:${port}`,
    "",
  ];
  await writeFile(config, lines.join("\n"));
  const path = process.env["PATH"] ?? "/usr/sbin:/usr/bin:/bin";
  const check = (env: Record<string, string>) => {
    const run = spawnSync(
      inHost("rh-peer", ["haproxy", "-c", "-W", "-f", config])[0]!,
      inHost("rh-peer", ["haproxy", "-c", "-W", "-f", config]).slice(1),
      {
        env: { PATH: path, ...env },
        encoding: "utf8",
      },
    );
    assert.equal(run.status, 0, run.stderr);
    return Object.fromEntries(noticed(run.stdout + run.stderr)[0] ?? []);
  };
  // haproxy -c: the host name over an inherited HAPROXY_LOCALPEER, the version unless inherited, the rest
  // as inherited.
  assert.deepEqual(check({}), { HAPROXY_LOCALPEER: "rh-peer", HAPROXY_STARTUP_VERSION: build.build.version });
  const inherited = {
    HAPROXY_LOCALPEER: "mine",
    HAPROXY_STARTUP_VERSION: "old",
    HAPROXY_MWORKER: "7",
    HAPROXY_CLI: "c",
    HAPROXY_SERVER_NAME: "s",
  };
  assert.deepEqual(check(inherited), { ...inherited, HAPROXY_LOCALPEER: "rh-peer" });

  // A master's start parses as haproxy -c does; its reload with what the master set after that parse.
  const command = inHost("rh-peer", ["haproxy", "-W", "-S", `${master},mode,600`, "-f", config]);
  const child = spawn(command[0]!, command.slice(1), {
    env: { PATH: path },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = once(child, "exit");
  t.after(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    await exited;
  });
  const loaded = (count: number) =>
    waitFor(() => output.split("Loading success").length > count, {
      timeoutMs: 10_000,
      message: `load ${count}`,
    });
  await loaded(1);
  // The master CLI's `reload` (its listener accepts once the master runs its loop, after `Loading
  // success`: refused until then), its answer read until the master closes the connection.
  let answer = "";
  await waitFor(
    () =>
      new Promise<boolean>((resolve) => {
        const socket = connect(master);
        socket.on("error", () => resolve(false));
        socket.on("data", (chunk: Buffer) => (answer += chunk.toString()));
        socket.on("connect", () => socket.end("reload\n"));
        socket.on("close", (failed) => resolve(!failed));
      }),
    { timeoutMs: 10_000, message: "the master CLI takes `reload`" },
  );
  await loaded(2).catch((error) => assert.fail(`${error}\n${answer}\n${output}`));
  const [start, reload] = noticed(output).map((parse) => Object.fromEntries(parse));
  assert.deepEqual(start, { HAPROXY_LOCALPEER: "rh-peer", HAPROXY_STARTUP_VERSION: build.build.version });
  assert.equal(reload?.["HAPROXY_LOCALPEER"], "rh-peer");
  assert.equal(reload?.["HAPROXY_STARTUP_VERSION"], build.build.version);
  assert.equal(reload?.["HAPROXY_MWORKER"], "1");
  assert.equal(reload?.["HAPROXY_MWORKER_REEXEC"], "1");
  assert.equal(reload?.["HAPROXY_CFGFILES"], config);
  assert.equal(reload?.["HAPROXY_MASTER_CLI"], `unix@${master}`);
  assert.match(reload?.["HAPROXY_CLI"] ?? "", /^unix@.*;sockpair@\d+$/);
  assert.match(reload?.["HAPROXY_PROCESSES"] ?? "", /^\|type=m;.*pid=\d+/);
  assert.deepEqual(
    Object.keys(reload ?? {}).sort(),
    NAMES.filter((name) => name !== "HAPROXY_SERVER_NAME").sort(),
  );
});

test("a section named from a variable HAProxy sets itself is named as haproxy -c and a reload name it", async (t) => {
  const read = await readHaproxyBuild("haproxy");
  assert.ok(read.ok);
  const self = { build: read.build, hostname: "legacy" };
  const dir = await mkdtemp(join(tmpdir(), "rh-set-variables-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const base = join(dir, "base.cfg");
  const backends = join(dir, "backends.cfg");
  // A generated `backend legacy` beside the config: haproxy -c -W fails exactly when the config has one.
  await writeFile(backends, "backend legacy\n    mode http\n");
  const {
    HAPROXY_STARTUP_VERSION: _version,
    HAPROXY_LOCALPEER: _peer,
    HAPROXY_MWORKER: _mworker,
    ...without
  } = process.env;
  // [section lines, the environment's additions, names read, whether haproxy -c meets the clash]
  const cases: [string, Record<string, string>, string[], boolean][] = [
    ['backend "$HAPROXY_LOCALPEER"', {}, ["legacy"], true],
    ['backend "${HAPROXY_LOCALPEER}"', { HAPROXY_LOCALPEER: "shop" }, ["legacy"], true], // set over
    // Unset in haproxy -c (its default names legacy), 1 in a master's reload.
    ['backend "${HAPROXY_MWORKER-legacy}"', {}, ["legacy", "1"], true],
    ['backend "${HAPROXY_MWORKER-legacy}"', { HAPROXY_MWORKER: "shop" }, ["shop", "1"], false],
    // The version unless inherited.
    [
      `.if streq("$HAPROXY_STARTUP_VERSION",${read.build.version})\nbackend legacy\n.endif`,
      {},
      ["legacy"],
      true,
    ],
    [
      `.if streq("$HAPROXY_STARTUP_VERSION",${read.build.version})\nbackend legacy\n.endif`,
      { HAPROXY_STARTUP_VERSION: "old" },
      [],
      false,
    ],
    // Read by a reload only (HAProxy refuses the reload, not the check): counts.
    [".if defined(HAPROXY_MWORKER)\nbackend legacy\n.endif", {}, ["legacy"], false],
    [".if !defined(HAPROXY_MWORKER)\nbackend legacy\n.endif", {}, ["legacy"], true],
    // A socket address, a file list or pids: never a generated backend's name.
    ['backend "${HAPROXY_CLI-other_x}"', {}, [], false],
    // Inherited as is, in haproxy -c and in a reload.
    ['backend "${HAPROXY_SERVER_NAME}"', { HAPROXY_SERVER_NAME: "legacy" }, ["legacy"], true],
  ];
  for (const [section, added, expected, clash] of cases) {
    const text = `global\n${DEFAULTS}${section}\nlisten other_one\n`;
    await writeFile(base, text);
    const command = inHost("legacy", ["haproxy", "-c", "-W", "-f", base, "-f", backends]);
    const run = spawnSync(command[0]!, command.slice(1), { env: { ...without, ...added }, encoding: "utf8" });
    const output = run.stdout + run.stderr;
    assert.equal(/same name/.test(output), clash, `${section} ${JSON.stringify(added)}: ${output}`);
    if (!clash) assert.match(output, /is valid|has no error/, section);
    const environment = environmentOf({ ...without, ...added });
    const names = clashingSections(text, environment, self).map((found) => found.name);
    assert.deepEqual(names, expected, `${section} ${JSON.stringify(added)}`);
  }
  // No host name known: a name made from HAPROXY_LOCALPEER is not, as before.
  const peer = `global\n${DEFAULTS}backend "$HAPROXY_LOCALPEER"\n`;
  assert.deepEqual(clashingSections(peer, environmentOf(without), { build: read.build }), []);
});

// What the two HAPROXY_LOCALPEER tests run in a host name of their choice: `config`, which haproxy -c
// reads to print HAPROXY_LOCALPEER (`.notice`), and `script`, a module that prints the host name
// readHaproxySelf (built: npx tsc -b) takes, run by a node of its own; the directory goes with the test.
async function localPeerProbe(
  t: { after: (fn: () => unknown) => void },
  prefix: string,
): Promise<{ config: string; script: string }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const config = join(dir, "haproxy.cfg");
  await writeFile(
    config,
    `global\n    .notice "BEGIN"\n    .notice "HAPROXY_LOCALPEER=[$HAPROXY_LOCALPEER]"\n`,
  );
  const selfModule = repoPath("packages", "reloader", "dist", "setup", "read-haproxy-self.js");
  const script = [
    `import { readHaproxySelf } from ${JSON.stringify(selfModule)};`,
    "const quiet = { debug() {}, warn() {} };",
    'const self = await readHaproxySelf({ userConfig: "x", haproxyBin: "haproxy" }, quiet);',
    "process.stdout.write(JSON.stringify(self.hostname));",
  ].join("\n");
  return { config, script };
}

// HAProxy 2.6 takes the host name into a 64-byte buffer less one, so a host name of Linux's full 64 bytes
// loses its last byte in HAPROXY_LOCALPEER. Until 2026-12-05 the reloader took it whole (os.hostname()):
// on such a host `backend "$HAPROXY_LOCALPEER"` was read under a name HAProxy does not give it.
test("HAPROXY_LOCALPEER as the reloader reads it at start is HAProxy's, also for a 64-byte host name", async (t) => {
  const { config, script } = await localPeerProbe(t, "rh-localpeer-");
  for (const host of ["rh-peer", "p".repeat(63), "q".repeat(64)]) {
    const check = inHost(host, ["haproxy", "-c", "-f", config]);
    const haproxy = spawnSync(check[0]!, check.slice(1), { encoding: "utf8" });
    const peer = noticed(haproxy.stdout + haproxy.stderr)[0]?.get("HAPROXY_LOCALPEER");
    assert.ok(peer !== undefined, `${host}: ${haproxy.stdout}${haproxy.stderr}`);
    assert.equal(peer, host.slice(0, 63), host);
    const node = inHost(host, [process.execPath, "--input-type=module", "-e", script]);
    const reloader = spawnSync(node[0]!, node.slice(1), { encoding: "utf8" });
    assert.equal(reloader.status, 0, reloader.stderr);
    assert.equal(JSON.parse(reloader.stdout), peer, host);
  }
});

// `command` run in a UTS namespace of its own whose host name is the bytes `host`, any bytes (sethostname
// takes them; hostname(1) refuses all but a DNS name), written to /proc/sys/kernel/hostname.
function inRawHost(host: Buffer, command: readonly string[]): string[] {
  const escaped = [...host].map((byte) => `\\${byte.toString(8).padStart(3, "0")}`).join("");
  const set = 'printf "$0" > /proc/sys/kernel/hostname && exec "$@"';
  return ["unshare", "--uts", "sh", "-c", set, escaped, ...command];
}

// A host name may hold bytes that are not UTF-8: os.hostname() gives each as U+FFFD, three bytes, so until
// 2026-12-05 the reloader's 63-byte cut of that text dropped two more characters a byte than HAProxy's cut
// of the name (even from a name of 63 bytes, which HAProxy does not cut). The reloader reads a --config
// as UTF-8, so HAProxy's HAPROXY_LOCALPEER read the same way is the name to match.
test("HAPROXY_LOCALPEER as the reloader reads it at start is HAProxy's, also for a host name that is not UTF-8", async (t) => {
  const { config, script } = await localPeerProbe(t, "rh-localpeer-bytes-");
  const a = (count: number) => Buffer.alloc(count, "a");
  const hosts = [
    Buffer.concat([Buffer.from([0xe9]), a(62)]), // Latin-1 é and 62 a's: 63 bytes, not cut
    Buffer.concat([Buffer.from([0xe9]), a(63)]), // 64 bytes: HAProxy keeps the é and 62 a's
    Buffer.concat([a(62), Buffer.from("é")]), // UTF-8 é, cut inside it
    Buffer.concat([Buffer.from("é"), a(62)]), // UTF-8 é, cut after 61 a's
  ];
  for (const host of hosts) {
    const check = inRawHost(host, ["haproxy", "-c", "-f", config]);
    // (latin1: HAProxy's bytes one for one.)
    const haproxy = spawnSync(check[0]!, check.slice(1), { encoding: "latin1" });
    const peer = noticed(haproxy.stdout + haproxy.stderr)[0]?.get("HAPROXY_LOCALPEER");
    assert.ok(peer !== undefined, `${host.toString("hex")}: ${haproxy.stdout}${haproxy.stderr}`);
    const bytes = Buffer.from(peer, "latin1");
    assert.deepEqual(bytes, host.subarray(0, 63), host.toString("hex"));
    const node = inRawHost(host, [process.execPath, "--input-type=module", "-e", script]);
    const reloader = spawnSync(node[0]!, node.slice(1), { encoding: "utf8" });
    assert.equal(reloader.status, 0, reloader.stderr);
    assert.equal(JSON.parse(reloader.stdout), bytes.toString("utf8"), host.toString("hex"));
  }
});
