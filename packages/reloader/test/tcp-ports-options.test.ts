// TCP_PORTS: the public ports of TCP services. A list of ports (empty by default); a port listed twice
// or taken by another listener (HTTP, HTTPS, stats, status) is refused at start: exit 2, one line
// naming TCP_PORTS and the port.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { spawnReloader } from "../../test-support/src/haproxy/index.ts";
import { resolveOptions } from "../src/options/resolve-options.ts";
import { problemsOf } from "./helpers/problems-of.ts";

describe("TCP_PORTS", () => {
  it("is a comma-separated list of ports, empty by default; --tcp-ports wins", () => {
    assert.deepEqual(resolveOptions({}, {}).tcpPorts, []);
    assert.deepEqual(resolveOptions({}, { TCP_PORTS: "" }).tcpPorts, []);
    assert.deepEqual(resolveOptions({}, { TCP_PORTS: " 5432, 6379 ,22" }).tcpPorts, [5432, 6379, 22]);
    assert.deepEqual(resolveOptions({ "tcp-ports": "3306" }, { TCP_PORTS: "5432" }).tcpPorts, [3306]);
  });

  it("refuses values that are not ports", () => {
    for (const value of ["0", "65536", "5432,", "a", "5432;6379", "5432 6379", "-1", "1e3"])
      assert.match(
        problemsOf({ TCP_PORTS: value })[0] ?? "",
        /^invalid TCP_PORTS ".*": must be a comma-separated list of ports 1-65535/,
        value,
      );
    const many = Array.from({ length: 101 }, (_, index) => 10_000 + index).join(",");
    assert.match(problemsOf({ TCP_PORTS: many })[0] ?? "", /at most 100/);
  });

  it("refuses a port listed twice or taken by another listener, naming TCP_PORTS and the port", () => {
    assert.deepEqual(problemsOf({ TCP_PORTS: "5432,6379,5432" }), ["TCP_PORTS lists 5432 twice"]);
    assert.deepEqual(problemsOf({ TCP_PORTS: "80" }), [
      "TCP_PORTS lists 80, which is HTTP_PORT: each listener needs its own port",
    ]);
    assert.deepEqual(problemsOf({ TCP_PORTS: "5432,443", ENABLE_SSL: "true" }), [
      "TCP_PORTS lists 443, which is HTTPS_PORT: each listener needs its own port",
    ]);
    assert.deepEqual(problemsOf({ TCP_PORTS: "443" }), [], "443 is free while ENABLE_SSL is false");
    assert.deepEqual(
      problemsOf({ TCP_PORTS: "1936", ENABLE_STATS: "true", STATS_PASSWORD: "not-the-default" }),
      ["TCP_PORTS lists 1936, which is STATS_PORT: each listener needs its own port"],
    );
    assert.deepEqual(problemsOf({ TCP_PORTS: "9102" }), [
      "TCP_PORTS lists 9102, which is STATUS_PORT: each listener needs its own port",
    ]);
    assert.deepEqual(problemsOf({ TCP_PORTS: "9102", STATUS_PORT: "off" }), []);
  });

  // Only the first pair was named: HTTP_PORT=STATS_PORT=STATUS_PORT=8080 said HTTP_PORT and STATS_PORT,
  // and once that was fixed the next start was refused for STATUS_PORT; a port listed three times was
  // said twice, and a listener's port listed twice named the listener twice.
  it("names every listener sharing a port, and a repeated port once", () => {
    assert.deepEqual(
      problemsOf({
        HTTP_PORT: "8080",
        ENABLE_STATS: "true",
        STATS_PASSWORD: "s3cret",
        STATS_PORT: "8080",
        STATUS_PORT: "8080",
        TCP_PORTS: "8080,8080,5432,5432,5432",
      }),
      [
        "HTTP_PORT, STATS_PORT and STATUS_PORT are all 8080: each listener needs its own port",
        "TCP_PORTS lists 8080, which is HTTP_PORT, STATS_PORT and STATUS_PORT: each listener needs its own port",
        "TCP_PORTS lists 8080 twice",
        "TCP_PORTS lists 5432 twice",
      ],
    );
    assert.deepEqual(problemsOf({ ENABLE_SSL: "true", HTTPS_PORT: "9102" }), [
      "HTTPS_PORT and STATUS_PORT are both 9102: each listener needs its own port",
    ]);
  });

  it("the CLI exits 2 with one line naming TCP_PORTS and the port, starting nothing", async () => {
    for (const [env, says] of [
      [{ HTTP_PORT: "8080", TCP_PORTS: "5432,8080" }, "TCP_PORTS lists 8080, which is HTTP_PORT"],
      [{ TCP_PORTS: "6379,6379" }, "TCP_PORTS lists 6379 twice"],
    ] as const) {
      const child = spawnReloader({ env });
      assert.deepEqual(await child.exited, { code: 2, signal: null });
      const lines = child.logs.map((line) => line.raw ?? "");
      assert.equal(lines.length, 1, lines.join("\n"));
      assert.ok(lines[0]?.startsWith(`reloader: ${says}`), lines[0]);
    }
  });
});
