// An HAProxy binary for the slot-cap tests: every run of it, `haproxy -c` and a master alike, gets at most
// a fixed address space, so a regression that renders a million slots (≈ 5 GB in `haproxy -c`) fails
// the test fast instead of taking the machine's memory (CI runs tests side by side on 2 cores).
import { chmod, writeFile } from "node:fs/promises";
import { join } from "node:path";

/** the address space each run gets, in KiB (`ulimit -v`): 2 GiB, room for a few blocks of 1 000 slots,
 * not for 1 000 000 */
export const CAPPED_HAPROXY_KIB = 2 * 1024 * 1024;

// Writes `<dir>/capped-haproxy`, running /usr/sbin/haproxy under `ulimit -v kib`; returns its path.
export async function cappedHaproxy(dir: string, kib = CAPPED_HAPROXY_KIB): Promise<string> {
  const bin = join(dir, "capped-haproxy");
  await writeFile(bin, `#!/bin/sh\nulimit -v ${kib}\nexec /usr/sbin/haproxy "$@"\n`);
  await chmod(bin, 0o755);
  return bin;
}
