// The default syslog target from metadata's self/host/agent_ip: an IP address literal is used, anything
// else (a DNS name HAProxy would have to resolve while parsing every config, a host:port, garbage) falls
// back to stdout with a warning, so an untrusted answer can never make `haproxy -c` fail.
import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { test } from "node:test";
import { createLogger, type MetadataClient, type SyslogTarget } from "@rancher-haproxy/core";
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
  const lines: object[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString("utf8").split("\n")) if (line) lines.push(JSON.parse(line) as object);
      done();
    },
  });
  const logger = createLogger({ name: "test", format: "json", destination });
  const target = await resolveSyslogTarget(null, clientAnswering(answer), logger);
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

test("an unreachable metadata service: stdout; SYSLOG_HOST given: metadata is not asked", async () => {
  assert.deepEqual((await resolveWith(new Error("ECONNREFUSED"))).target, { kind: "stdout" });
  const configured: SyslogTarget = { kind: "udp", host: "127.0.0.9", port: 514 };
  const logger = createLogger({ name: "test", level: "silent" });
  assert.equal(
    await resolveSyslogTarget(configured, clientAnswering(new Error("asked")), logger),
    configured,
  );
});
