// Wrapper scripts standing in for `--haproxy-bin` (one that leaves a child holding the output pipe, one
// around a hung binary: read-haproxy-build.test.ts, check-config-wrapper.test.ts), each recording its
// child's pid, so that the test can see the child ended, and can end it itself whatever happens.
import { chmod, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

// A directory of wrapper scripts: `wrapper` writes one, `file` any other file there, `cleanUp` kills
// every child a wrapper recorded and removes the directory (call it in `after`, so a failed assertion
// leaves nothing running).
export function wrapperScripts(prefix: string): {
  wrapper(name: string, body: string): Promise<{ bin: string; pids: string }>;
  file(name: string, text: string): Promise<string>;
  cleanUp(): Promise<void>;
} {
  let made: Promise<string> | null = null;
  const dir = () => (made ??= mkdtemp(join(tmpdir(), prefix)));
  const pidFiles: string[] = [];
  return {
    // A wrapper script named `name`: `body` runs with $PIDS naming a file for a child's pid.
    async wrapper(name, body) {
      const bin = join(await dir(), name);
      const pids = join(await dir(), `${name}.pid`);
      pidFiles.push(pids);
      await writeFile(bin, `#!/bin/sh\nPIDS='${pids}'\n${body}\n`);
      await chmod(bin, 0o755);
      return { bin, pids };
    },
    async file(name, text) {
      const path = join(await dir(), name);
      await writeFile(path, text);
      return path;
    },
    async cleanUp() {
      for (const file of pidFiles) {
        const pid = Number((await readFile(file, "utf8").catch(() => "")).trim());
        if (pid > 0)
          try {
            process.kill(pid, "SIGKILL");
          } catch {
            // already gone
          }
      }
      if (made !== null) await rm(await made, { recursive: true, force: true });
    },
  };
}

// The pid a wrapper's child wrote to `pids`.
export async function childOf(pids: string): Promise<number> {
  return Number((await readFile(pids, "utf8")).trim());
}

// True while `pid` still sleeps as a wrapper's `sleep` does (not gone, nor killed: exiting or a zombie).
export async function sleeps(pid: number): Promise<boolean> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => null);
  return stat !== null && stat.slice(stat.lastIndexOf(")") + 2)[0] === "S";
}
