// `<bin> -vv`, read once at start: the version and feature list of the HAProxy binary every `haproxy -c`
// and the master run, which a --config's `.if feature(...)` and `version_*(...)` read.
import { execa } from "execa";
import { killProcessGroup } from "../adopt/process-table.js";
import { parseHaproxyBuild, type HaproxyBuild } from "../model/haproxy-build.js";

// How long `haproxy -vv` may take (it prints and exits at once).
export const VERSION_TIMEOUT_MS = 10_000;

// Its output is ≈ 3 KB; more than this is not HAProxy's.
const MAX_OUTPUT_BYTES = 1024 * 1024;

// The build `bin -vv` shows, or why it could not be read. Never throws. The binary runs in a process group
// of its own (detached), which is killed once it exits or is ended: a wrapper script's child that holds
// the output pipe (a hung `haproxy` it did not exec, something it left in the background) would otherwise
// keep the read, and the start, waiting as long as that child lives, past `timeoutMs`. Detached, it is not
// ended with the reloader by execa (its `cleanup`), so the group is also killed if the reloader exits first.
export async function readHaproxyBuild(
  bin: string,
  timeoutMs = VERSION_TIMEOUT_MS,
): Promise<{ ok: true; build: HaproxyBuild } | { ok: false; reason: string }> {
  try {
    const subprocess = execa(bin, ["-vv"], {
      reject: false,
      stdin: "ignore",
      detached: true,
      timeout: timeoutMs,
      killSignal: "SIGKILL",
      maxBuffer: MAX_OUTPUT_BYTES,
      encoding: "utf8",
    });
    const killGroup = () => {
      if (subprocess.pid !== undefined) killProcessGroup(subprocess.pid);
    };
    subprocess.once("exit", killGroup);
    process.once("exit", killGroup);
    const result = await subprocess.finally(() => process.off("exit", killGroup));
    if (result.failed) return { ok: false, reason: result.shortMessage ?? `${bin} -vv failed` };
    const build = parseHaproxyBuild(String(result.stdout));
    if (build === null) return { ok: false, reason: `${bin} -vv names no version nor feature list` };
    return { ok: true, build };
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? error.message : String(error) };
  }
}
