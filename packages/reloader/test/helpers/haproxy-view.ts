// What a live HAProxy runs, as far as a reload would set it (`show servers state`, `show map`, `show
// stat`), read from its master socket, and the same of a fresh HAProxy started from a copy of the
// reloader's `current` snapshot (what a restart would run): equal views mean the runtime steps left the
// worker as the files say.
import assert from "node:assert/strict";
import { copyFile, mkdtemp, readFile, readlink, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, waitFor } from "../../../test-support/src/haproxy/index.ts";
import { haproxyArgs, spawnHaproxy } from "../../src/haproxy/spawn-haproxy.ts";
import { sendWorkerCommands } from "../../src/haproxy/worker-commands.ts";
import type { Fixture } from "./fixture.ts";

// One `show servers state` row, by column name.
type Row = Record<string, string>;

function parseRows(answer: string): Row[] {
  const lines = answer.split("\n");
  const header = lines.find((line) => line.startsWith("# be_id"));
  if (!header) throw new Error(`not a show servers state answer: ${answer.slice(0, 200)}`);
  const columns = header.slice(2).split(" ");
  return lines
    .filter((line) => /^\d+ /.test(line))
    .map((line) => {
      const fields = line.split(" ");
      return Object.fromEntries(columns.map((column, index) => [column, fields[index] ?? ""]));
    });
}

// What must be the same in a live worker and a fresh one, per server: its id and name, its admin state
// (CMAINT, the config's `disabled` marker, left out: `state ready` does not clear it), and for a server
// not in maintenance its address, port and operational state; its weights and check settings.
function serverFacts(row: Row): string {
  const admin = Number(row["srv_admin_state"]) & ~0x04;
  const maint = (admin & 0x01) !== 0;
  const checked = (Number(row["srv_check_state"]) & 0x02) !== 0;
  return [
    `${row["be_name"]}/${row["srv_id"]}:${row["srv_name"]}`,
    `admin=${admin}`,
    maint ? "" : `addr=${row["srv_addr"]}:${row["srv_port"]}`,
    maint || checked ? "" : `op=${row["srv_op_state"]}`,
    `weight=${row["srv_uweight"]}/${row["srv_iweight"]}`,
    // (configured, enabled, paused: not 0x01, a check in progress)
    checked ? `check=${Number(row["srv_check_state"]) & 0x0e}` : "",
    `ssl=${row["srv_use_ssl"]}`,
    `checkport=${row["srv_check_port"]}`,
  ]
    .filter(Boolean)
    .join(" ");
}

// What `show stat` shows of every backend and server line that a reload would set: a server's maxconn
// (slim), weight, cookie, check rise/fall, a backend's algorithm and mode, and for a server not in
// maintenance its address and (unchecked) status.
function statFacts(answer: string): string[] {
  const [header = "", ...lines] = answer.split("\n");
  const columns = header.replace(/^# /, "").split(",");
  return lines
    .filter((line) => line.includes(","))
    .map((line) => {
      const fields = line.split(",");
      const at = (name: string) => fields[columns.indexOf(name)] ?? "";
      if (at("svname") === "FRONTEND") return "";
      // (a backend's status and weight follow its servers', compared one by one)
      if (at("svname") === "BACKEND")
        return `${at("pxname")} cookie=${at("cookie")} mode=${at("mode")} algo=${at("algo")}`;
      const maint = at("status") === "MAINT";
      const checked = at("check_rise") !== "";
      return [
        `${at("pxname")}/${at("svname")}`,
        `slim=${at("slim")} weight=${at("weight")} cookie=${at("cookie")} mode=${at("mode")} algo=${at("algo")}`,
        `rise=${at("check_rise")} fall=${at("check_fall")}`,
        maint ? "maint" : `addr=${at("addr")}`,
        maint || checked ? "" : `status=${at("status")}`,
      ].join(" ");
    })
    .filter(Boolean)
    .sort();
}

// The facts compared.
export interface HaproxyView {
  stat: string[];
  servers: string[];
  map: string[];
  pathHosts: string[];
}

function mapEntries(answer: string): string[] {
  return answer
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => line.split(" ").slice(1).join(" "))
    .sort();
}

export async function readView(masterSocket: string): Promise<HaproxyView> {
  const read = await sendWorkerCommands(masterSocket, [
    "show servers state",
    "show map domain.map",
    "show map path-hosts.map",
    "show stat",
  ]);
  if (!read.ok) throw new Error(`reading ${masterSocket}: ${read.reason}`);
  const [servers, map, pathHosts, stat] = read.answers.map((answer) => answer.answer);
  return {
    stat: statFacts(stat ?? ""),
    servers: parseRows(servers ?? "").map(serverFacts),
    map: mapEntries(map ?? ""),
    pathHosts: mapEntries(pathHosts ?? ""),
  };
}

// A fresh HAProxy from a copy of the `current` snapshot (its base config on another port and socket).
export async function freshView(fixture: Fixture): Promise<HaproxyView> {
  const current = join(fixture.stateDir, await readlink(join(fixture.stateDir, "current")));
  const dir = await mkdtemp(join(tmpdir(), "rh-fresh-"));
  try {
    for (const file of ["backends.cfg", "domain.map", "path-hosts.map"])
      await copyFile(join(current, file), join(dir, file));
    const port = await freePort();
    const base = (await readFile(join(current, "haproxy.cfg"), "utf8"))
      .replaceAll(`127.0.0.1:${fixture.httpPort}`, `127.0.0.1:${port}`)
      .replaceAll(fixture.stateDir, dir);
    assert.ok(!base.includes(String(fixture.httpPort)), "the fresh base config binds elsewhere");
    await writeFile(join(dir, "haproxy.cfg"), base);
    const socket = join(dir, "master.sock");
    const lines: string[] = [];
    const child = await spawnHaproxy(
      "haproxy",
      haproxyArgs(socket, [join(dir, "haproxy.cfg"), join(dir, "backends.cfg")]),
      (_stream, line) => void lines.push(line),
    );
    try {
      return await waitFor(() => readView(socket).catch(() => null), {
        timeoutMs: 10_000,
        message: `the fresh HAProxy to answer (${lines.slice(-5).join(" | ")})`,
      });
    } finally {
      child.signal("SIGTERM");
      await child.exited;
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
