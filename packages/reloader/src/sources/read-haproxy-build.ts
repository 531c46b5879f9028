// `<bin> -vv`, read once at start: the version and feature list of the HAProxy binary every `haproxy -c`
// and the master run, which a --config's `.if feature(...)` and `version_*(...)` read.
import { runInOwnGroup } from "../haproxy/run-in-own-group.js";
import { parseHaproxyBuild, type HaproxyBuild } from "../model/haproxy-build.js";

// How long `haproxy -vv` may take (it prints and exits at once).
export const VERSION_TIMEOUT_MS = 10_000;

// Its output is ≈ 3 KB; more than this is not HAProxy's.
const MAX_OUTPUT_BYTES = 1024 * 1024;

// The build `bin -vv` shows, or why it could not be read. Never throws. The binary runs in a process group
// of its own (runInOwnGroup), so a wrapper script's child that holds the output pipe cannot keep the read,
// and the start, waiting past the binary's exit or `timeoutMs`.
export async function readHaproxyBuild(
  bin: string,
  timeoutMs = VERSION_TIMEOUT_MS,
): Promise<{ ok: true; build: HaproxyBuild } | { ok: false; reason: string }> {
  try {
    const result = await runInOwnGroup(bin, ["-vv"], {
      reject: false,
      stdin: "ignore",
      timeout: timeoutMs,
      maxBuffer: MAX_OUTPUT_BYTES,
      encoding: "utf8",
    });
    if (result.failed) return { ok: false, reason: result.shortMessage ?? `${bin} -vv failed` };
    const build = parseHaproxyBuild(String(result.stdout));
    if (build === null) return { ok: false, reason: `${bin} -vv names no version nor feature list` };
    return { ok: true, build };
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? error.message : String(error) };
  }
}
