// The demo as a child process for test/demo.test.ts: its stdout lines, every process it started (noted
// by pid and command while they run, so an orphan is still found after its parent is gone), a signal
// with a bounded wait for the exit, and a t.after that SIGKILLs whatever is left (also on a failure)
// and removes the demo's temp dir.
import { spawn, type ChildProcess } from "node:child_process";
import { rm } from "node:fs/promises";
import type { TestContext } from "node:test";
import { createInterface } from "node:readline";
import { descendants, repoRoot, stillRuns, waitFor, type ProcessInfo } from "@rancher-haproxy/test-support";

// The repository root.
export const ROOT = repoRoot();

// A running demo (or `npm run demo`) and what the test reads of it.
export interface DemoProcess {
  child: ChildProcess;
  /** stdout, line by line */
  lines: string[];
  /** stdout and stderr so far, for assertion messages */
  output(): string;
  /** resolves with the first stdout line matching `pattern` */
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** adds the child's current descendants to `started` */
  noteProcesses(): void;
  started: Map<number, ProcessInfo>;
  /**
   * sends `signal` to the child (or, with `group`, to its whole process group, as a terminal's Ctrl-C
   * does) and resolves with its exit code, or a message after `timeoutMs`
   */
  signalAndWait(
    signal: NodeJS.Signals,
    options?: { timeoutMs?: number; group?: boolean },
  ): Promise<number | null | string>;
  /** every noted process that still runs */
  survivors(): ProcessInfo[];
}

// Starts `command args` in the repository root with a small environment (PATH with /usr/sbin, HOME),
// as the leader of its own process group (like a shell's foreground job).
export function startDemoProcess(t: TestContext, command: string, args: string[]): DemoProcess {
  const child = spawn(command, args, {
    detached: true,
    cwd: ROOT,
    env: {
      PATH: `${process.env["PATH"] ?? "/usr/bin:/bin"}:/usr/sbin`,
      HOME: process.env["HOME"] ?? "/tmp",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines: string[] = [];
  createInterface({ input: child.stdout! }).on("line", (line) => lines.push(line));
  let stderr = "";
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const started = new Map<number, ProcessInfo>();
  const noteProcesses = () => {
    for (const proc of descendants(child.pid!)) if (proc.command !== "") started.set(proc.pid, proc);
  };
  const survivors = () => [...started.values()].filter((proc) => stillRuns(proc.pid, proc.command));
  t.after(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      noteProcesses();
      child.kill("SIGKILL");
      await exited;
    }
    for (const proc of survivors()) process.kill(proc.pid, "SIGKILL");
    // The demo's temp dir (named in its banner), left behind when it had to be killed.
    const dir = lines.map((line) => /log (\/\S+\/rh-demo-[^/\s]+)\//.exec(line)?.[1]).find(Boolean);
    if (dir) await rm(dir, { recursive: true, force: true });
  });
  const output = () => `${lines.join("\n")}\n${stderr}`;
  return {
    child,
    lines,
    output,
    started,
    noteProcesses,
    survivors,
    waitForLine: (pattern, timeoutMs = 40_000) =>
      waitFor(() => lines.find((line) => pattern.test(line)), {
        timeoutMs,
        intervalMs: 50,
        message: `the demo to print ${pattern}\n${output()}`,
      }),
    signalAndWait: async (signal, { timeoutMs = 30_000, group = false } = {}) => {
      if (group) process.kill(-child.pid!, signal);
      else child.kill(signal);
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<string>(
        (resolve) => (timer = setTimeout(() => resolve(`still running after ${timeoutMs} ms`), timeoutMs)),
      );
      const code = await Promise.race([exited, late]);
      clearTimeout(timer);
      return code;
    },
  };
}
