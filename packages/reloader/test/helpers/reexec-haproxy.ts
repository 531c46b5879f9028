// An HAProxy binary for tests of reloads, and a cleanup for masters a test leaves behind.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { access, chmod, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { waitFor } from "@rancher-haproxy/test-support";

// The files of a reexecHaproxy: the binary, the flag that arms its next re-execution, the config it then
// adds (`bad`, empty until a test writes it), the file it creates once it went on (`woke`), and the flag
// that arms its next start afresh (`slowStart`, with `slowStartSeconds`), and with `gated` the FIFO the
// armed re-execution opens after its sleep (`gate`: it goes on once the test opens it, openGate).
export interface ReexecHaproxy {
  bin: string;
  flag: string;
  bad: string;
  woke: string;
  slowStart: string;
  gate: string;
}

// An HAProxy binary in `dir`: while `flag` exists, its next re-execution (`-sf`) sleeps `sleepSeconds`,
// waits, with `gated`, until the test opens `gate` for writing, creates `woke` and, with `addBad`, runs the
// real HAProxy with `-f bad.cfg` added (kept for its later re-executions, as HAProxy re-executes with its
// own arguments); while `slowStart` exists, its next start afresh (no `-sf`) sleeps `slowStartSeconds`.
// bash runs under a name holding "haproxy", so /proc shows the master as an HAProxy.
export async function reexecHaproxy(
  dir: string,
  options: { sleepSeconds?: number; addBad?: boolean; slowStartSeconds?: number; gated?: boolean },
): Promise<ReexecHaproxy> {
  const shell = join(dir, "haproxy-sh");
  await symlink("/bin/bash", shell);
  const bin = join(dir, "reexec-haproxy");
  const flag = join(dir, "reexec-flag");
  const bad = join(dir, "bad.cfg");
  const woke = join(dir, "woke");
  const slowStart = join(dir, "slow-start-flag");
  const gate = join(dir, "reexec-gate");
  await writeFile(bad, "");
  if (options.gated === true) execFileSync("mkfifo", [gate]);
  const sleep =
    (options.sleepSeconds ? `sleep ${options.sleepSeconds}; ` : "") +
    (options.gated === true ? `: < ${gate}; ` : "");
  const add = options.addBad === true ? `set -- "$@" -f ${bad}; ` : "";
  await writeFile(
    bin,
    `#!${shell}
if [[ -e ${flag} && " $* " == *" -sf "* ]]; then rm -f ${flag}; ${sleep}: > ${woke}; ${add}fi
if [[ -e ${slowStart} && " $* " != *" -sf "* ]]; then rm -f ${slowStart}; sleep ${options.slowStartSeconds ?? 0}; fi
exec -a "$0" /usr/sbin/haproxy "$@"
`,
  );
  await chmod(bin, 0o755);
  return { bin, flag, bad, woke, slowStart, gate };
}

// Resolves once the armed re-execution began: the stand-in removes `flag` then (and, gated, waits).
export async function reexecutionHeld(stand: ReexecHaproxy): Promise<void> {
  await waitFor(
    () =>
      access(stand.flag).then(
        () => undefined,
        () => true,
      ),
    { timeoutMs: 10_000, message: "the master's re-execution held" },
  );
}

// Let a gated re-execution go on: open its FIFO for writing (resolves once the stand-in opened it too).
export async function openGate(stand: ReexecHaproxy): Promise<void> {
  await writeFile(stand.gate, "");
}

// SIGKILL `pid` if it is still an HAProxy (a master a test's reloader left running).
export function killIfHaproxy(pid: number): void {
  try {
    if (readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("haproxy")) process.kill(pid, "SIGKILL");
  } catch {
    // already gone
  }
}
