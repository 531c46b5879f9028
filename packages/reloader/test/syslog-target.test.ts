// The default syslog target from metadata's self/host/agent_ip: an IP address literal is used, anything
// else (a DNS name HAProxy would have to resolve while parsing every config, a host:port, garbage) falls
// back to stdout with a warning, so an untrusted answer can never make `haproxy -c` fail; so does an
// address no host has (multicast, broadcast, unspecified, reserved, IPv6 link-local without its zone),
// where HAProxy would send the logs.
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Writable } from "node:stream";
import { test, type TestContext } from "node:test";
import {
  createLogger,
  createMetadataClient,
  MAX_SMALL_ANSWER_BYTES,
  type MetadataClient,
  type SyslogTarget,
} from "@rancher-haproxy/core";
import { buildTree, startMetadataServer } from "@rancher-haproxy/test-support";
import { resolveSyslogTarget } from "../src/setup/resolve-syslog-target.ts";

// A metadata client whose self/host/agent_ip answers `answer` (an Error is thrown).
function clientAnswering(answer: unknown): MetadataClient {
  const get = (path: string) => {
    assert.equal(path, "self/host/agent_ip");
    return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer);
  };
  return {
    getJson: get,
    getText: (path) => get(path).then(String),
    waitForVersion: () => Promise.reject(new Error("not used")),
    baseUrl: "http://127.0.0.1:9/latest",
  };
}

async function resolveWith(answer: unknown): Promise<{ target: SyslogTarget; lines: object[] }> {
  return resolveFrom(clientAnswering(answer));
}

// The target resolved from a stand-in metadata server whose host's agent_ip is `agentIp`, with the lines
// logged meanwhile; the server closed after the test.
async function resolveServed(
  t: TestContext,
  agentIp: string,
): Promise<{ target: SyslogTarget; lines: object[] }> {
  const metadata = await startMetadataServer({
    tree: buildTree({ hosts: [{ name: "rancher-host-1", agentIp }], stacks: [] }),
  });
  t.after(() => metadata.close());
  return resolveFrom(createMetadataClient({ apiHost: metadata.hostPort, apiVersion: "2015-12-19" }));
}

// The target resolved through `client`, with the lines logged meanwhile.
async function resolveFrom(client: MetadataClient): Promise<{ target: SyslogTarget; lines: object[] }> {
  const lines: object[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString("utf8").split("\n")) if (line) lines.push(JSON.parse(line) as object);
      done();
    },
  });
  const logger = createLogger({ name: "test", format: "json", destination });
  const target = await resolveSyslogTarget(null, client, logger);
  return { target, lines };
}

for (const [agentIp, host] of [
  ["127.0.0.250", "127.0.0.250"],
  [" 127.0.0.251\n", "127.0.0.251"],
  ["::1", "::1"],
] as const)
  test(`agent_ip ${JSON.stringify(agentIp)} is the UDP syslog target`, async () => {
    const { target, lines } = await resolveWith(agentIp);
    assert.deepEqual(target, { kind: "udp", host, port: null });
    assert.ok(lines.some((line) => "source" in line && line.source === "metadata"));
  });

// an IPv6 address with a zone (`%eth0`) is an address to Node's isIP, yet HAProxy refuses `log [fe80::1%eth0]`
for (const agentIp of [
  ...["no-such-host.invalid", "localhost", "127.0.0.1:514", "stdout", "1.2.3.4.5", ""],
  ...["fe80::1%eth0", "::1%a.b:c-d"],
])
  test(`agent_ip ${JSON.stringify(agentIp)} is no address: HAProxy logs to stdout, with a warning`, async () => {
    const { target, lines } = await resolveWith(agentIp);
    assert.deepEqual(target, { kind: "stdout" });
    const warning = lines.find((line) => "event" in line && line.event === "syslog.target");
    assert.ok(warning && "source" in warning && warning.source === "stdout", JSON.stringify(lines));
  });

// An address no host has: HAProxy takes `log 224.0.0.1 daemon` and sent every access log line to the
// link's multicast group (every host on it), or broadcast / to no one without a word. Read from the
// stand-in's self/host/agent_ip; nothing is sent to these addresses by this test.
for (const [agentIp, kind] of [
  ["224.0.0.1", "a multicast address"],
  ["239.255.0.1", "a multicast address"],
  ["ff02::1", "a multicast address"],
  ["::ffff:224.0.0.251", "a multicast address"],
  ["255.255.255.255", "the broadcast address"],
  ["0.0.0.0", "an unspecified (this-network) address"],
  ["::", "the unspecified address"],
  ["240.0.0.1", "a reserved address"],
  ["fe80::1", "an IPv6 link-local address (it needs a zone)"],
] as const)
  test(`agent_ip ${agentIp} is no host's address: HAProxy logs to stdout, with a warning`, async (t) => {
    const { target, lines } = await resolveServed(t, agentIp);
    assert.deepEqual(target, { kind: "stdout" });
    const warning = lines.find((line) => "event" in line && line.event === "syslog.target");
    assert.ok(warning && "msg" in warning, JSON.stringify(lines));
    assert.equal(warning.msg, `agent_ip is ${kind}, no host's address: HAProxy logs to stdout`);
    assert.ok("agentIp" in warning && warning.agentIp === agentIp, JSON.stringify(warning));
  });

// self/host/agent_ip was read to the general 64 MiB cap (review of 2026-12-06).
test("an agent_ip answer is read to 4 KiB: one byte more is refused as too-large, HAProxy logs to stdout", async (t) => {
  // Quoted, 4 096 and 4 097 bytes.
  for (const agentIp of ["1".repeat(MAX_SMALL_ANSWER_BYTES - 2), "1".repeat(MAX_SMALL_ANSWER_BYTES - 1)]) {
    const { target, lines } = await resolveServed(t, agentIp);
    assert.deepEqual(target, { kind: "stdout" });
    const warning = lines.find((line) => "event" in line && line.event === "syslog.target");
    assert.ok(warning && "msg" in warning, JSON.stringify(lines));
    if (agentIp.length + 2 === MAX_SMALL_ANSWER_BYTES) {
      assert.equal(warning.msg, "agent_ip is not an IP address: HAProxy logs to stdout", "read whole");
      continue;
    }
    assert.ok("err" in warning && "msg" in warning, JSON.stringify(warning));
    assert.equal(
      warning.msg,
      "SYSLOG_HOST unset and self/host/agent_ip not read (too-large): HAProxy logs to stdout",
    );
    assert.match(
      String(warning.err),
      /\/self\/host\/agent_ip: answer larger than 4096 bytes \(the cap of this path's answer\): not read further$/,
    );
  }
});

// Each byte of a trickled agent_ip gave the rest another timeout, up to 65 s of the start by default.
test("an agent_ip answer trickled without end fails within the request's timeout: HAProxy logs to stdout", async (t) => {
  const server = createServer((_req, res) => {
    res.writeHead(200, { "Content-Type": "application/json" });
    res.write('"127.0.0.');
    const timer = setInterval(() => res.write("1"), 50);
    res.on("close", () => clearInterval(timer));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  t.after(() => {
    server.closeAllConnections();
    server.close();
  });
  const { port } = server.address() as AddressInfo;
  const apiHost = `127.0.0.1:${port}`;
  const client = createMetadataClient({
    apiHost,
    apiVersion: "2015-12-19",
    timeoutMs: 300,
    maxReadMs: 10_000,
  });
  const { target, lines } = await resolveFrom(client);
  assert.deepEqual(target, { kind: "stdout" });
  const warning = lines.find((line) => "event" in line && line.event === "syslog.target");
  assert.ok(warning && "err" in warning && "msg" in warning, JSON.stringify(lines));
  assert.equal(
    warning.msg,
    "SYSLOG_HOST unset and self/host/agent_ip not read (timeout): HAProxy logs to stdout",
  );
  assert.match(String(warning.err), /\/self\/host\/agent_ip: no complete answer: .* past 300 ms in all$/);
});

test("an unreachable metadata service: stdout; SYSLOG_HOST given: metadata is not asked", async () => {
  const refused = await resolveWith(new Error("ECONNREFUSED"));
  assert.deepEqual(refused.target, { kind: "stdout" });
  assert.ok(
    refused.lines.some(
      (line) =>
        "msg" in line &&
        line.msg ===
          "SYSLOG_HOST unset and self/host/agent_ip not read (unreachable): HAProxy logs to stdout",
    ),
    JSON.stringify(refused.lines),
  );
  const configured: SyslogTarget = { kind: "udp", host: "127.0.0.9", port: 514 };
  const logger = createLogger({ name: "test", level: "silent" });
  assert.equal(
    await resolveSyslogTarget(configured, clientAnswering(new Error("asked")), logger),
    configured,
  );
});
