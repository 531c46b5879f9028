// The adoption tests' judge of "one master": findHaproxyMasters on fixed /proc snapshots, including the
// moment a reloading master re-executes itself (its command line reads empty), which once made its worker
// look like a second, parentless master.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { findHaproxyMasters } from "../src/haproxy/index.ts";
import type { ProcessInfo } from "../src/pair/index.ts";

const STATE = "/tmp/state";
const haproxy = (pid: number, ppid: number, command: string, state = "S"): ProcessInfo => ({
  pid,
  ppid,
  command,
  name: "haproxy",
  state,
  group: pid,
});
const MASTER_ARGS = `/usr/sbin/haproxy -W -S ${STATE}/master.sock -f ${STATE}/haproxy.cfg`;
const reloader: ProcessInfo = {
  pid: 10,
  ppid: 1,
  command: "node reloader",
  name: "node",
  state: "S",
  group: 10,
};

describe("findHaproxyMasters", () => {
  it("names the master of the state dir, not its workers, nor another state dir's master", () => {
    const other = haproxy(30, 10, "/usr/sbin/haproxy -W -S /tmp/other/master.sock");
    const seen = findHaproxyMasters(
      [
        reloader,
        haproxy(20, 10, MASTER_ARGS),
        haproxy(21, 20, MASTER_ARGS),
        other,
        haproxy(31, 30, other.command),
      ],
      STATE,
    );
    assert.deepEqual(seen, { masters: [20] });
  });

  it("says 'look again' while a master's command line reads empty, instead of naming its worker", () => {
    const seen = findHaproxyMasters([reloader, haproxy(20, 10, ""), haproxy(21, 20, MASTER_ARGS)], STATE);
    assert.deepEqual(seen, { inExec: 20 });
  });

  it("judges parents by the kernel's name: a worker whose master's arguments changed is still a worker", () => {
    const seen = findHaproxyMasters(
      [reloader, haproxy(20, 10, `${MASTER_ARGS} -sf 21`), haproxy(21, 20, MASTER_ARGS)],
      STATE,
    );
    assert.deepEqual(seen, { masters: [20] });
    const wrapped = { ...haproxy(20, 10, `haproxy-sh busy-haproxy ${MASTER_ARGS}`), name: "busy-haproxy" };
    assert.deepEqual(findHaproxyMasters([reloader, wrapped, haproxy(21, 20, MASTER_ARGS)], STATE), {
      masters: [20],
    });
  });

  it("leaves zombies out, and finds two masters when there are two", () => {
    const seen = findHaproxyMasters(
      [reloader, haproxy(20, 10, "", "Z"), haproxy(22, 1, MASTER_ARGS), haproxy(23, 10, MASTER_ARGS)],
      STATE,
    );
    assert.deepEqual(seen, { masters: [22, 23] });
  });
});
