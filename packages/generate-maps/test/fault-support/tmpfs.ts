// Real filesystem faults for the writer: a tiny tmpfs that can be filled up (ENOSPC) or remounted
// read-only (EROFS). Needs mount(8) and CAP_SYS_ADMIN (root in the CI container); chmod would not do,
// since root ignores permissions. Unmounted (lazily if busy) and removed when the test ends, even on failure.
import { execFile } from "node:child_process";
import { mkdtemp, open, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestContext } from "node:test";
import { promisify } from "node:util";

const run = promisify(execFile);

// A mounted tmpfs of `sizeKb` KiB at a fresh directory.
export interface Tmpfs {
  dir: string;
  remount(mode: "ro" | "rw"): Promise<void>;
  /** writes zeros to `<dir>/filler` until the filesystem is full; returns that path */
  fill(): Promise<string>;
}

// Mounts a tmpfs for the test; throws with the reason when this machine does not allow mounting.
export async function mountTmpfs(t: TestContext, sizeKb = 64): Promise<Tmpfs> {
  const dir = await mkdtemp(join(tmpdir(), "gm-tmpfs-"));
  try {
    await run("mount", ["-t", "tmpfs", "-o", `size=${sizeKb}k,mode=0755`, "tmpfs", dir]);
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw new Error(`cannot mount a tmpfs (disk-fault tests need root/CAP_SYS_ADMIN): ${String(error)}`);
  }
  t.after(async () => {
    await run("umount", [dir]).catch(() => run("umount", ["-l", dir]));
    await rm(dir, { recursive: true, force: true });
  });
  return {
    dir,
    remount: async (mode) => {
      await run("mount", ["-o", `remount,${mode}`, dir]);
    },
    fill: async () => {
      const path = join(dir, "filler");
      const handle = await open(path, "a");
      const block = Buffer.alloc(4096);
      try {
        for (;;) await handle.write(block);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "ENOSPC") throw error;
      } finally {
        await handle.close();
      }
      return path;
    },
  };
}
