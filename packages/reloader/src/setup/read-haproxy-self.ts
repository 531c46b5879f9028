// What HAProxy knows of itself while it parses a --config, read once at start, with --config only: the
// binary's build (`haproxy -vv`: its version and feature list, for `.if feature(...)` and
// `version_*(...)`, and HAPROXY_STARTUP_VERSION) and the host name (HAPROXY_LOCALPEER, which HAProxy sets
// from gethostname(), its bytes cut to 63 as HAProxy cuts them). A build that cannot be read is logged
// and left unknown: what depends on it then counts as before.
import type { Logger } from "@rancher-haproxy/core";
import { readFileSync } from "node:fs";
import { hostname } from "node:os";
import type { HaproxySelf } from "../model/haproxy-build.js";
import type { ReloaderOptions } from "../options/reloader-options.js";
import { readHaproxyBuild } from "../sources/read-haproxy-build.js";

// What `--haproxy-bin` (the binary `haproxy -c` and the master run) says of itself; never throws. Read
// only with a --config (main.ts; NOTHING_KNOWN without one).
export async function readHaproxySelf(options: ReloaderOptions, logger: Logger): Promise<HaproxySelf> {
  const bin = options.haproxyBin;
  const read = await readHaproxyBuild(bin);
  if (read.ok) {
    logger.debug({ event: "haproxy.build", version: read.build.version }, "HAProxy build read");
    return { build: read.build, hostname: hostName() };
  }
  logger.warn(
    { event: "haproxy.build-unread", bin, reason: read.reason },
    `${bin} -vv could not be read (${read.reason}): a --config's .if feature(...), version_atleast(...) and version_before(...) are not evaluated, and the sections under them count`,
  );
  return { build: null, hostname: hostName() };
}

// What is known of HAProxy without a --config: nothing, and nothing is asked (the rendered base config has
// no `.if` nor section a generated backend could clash with, so a start without one runs no more than
// before: a test's stand-in binary takes its first call other than `-c` for the master's start).
export const NOTHING_KNOWN: HaproxySelf = { build: null, hostname: null };

// How much of the host name HAProxy 2.6 keeps: gethostname() into its 64-byte buffer less one, so a host
// name of Linux's full 64 bytes loses its last one in HAPROXY_LOCALPEER.
const HAPROXY_HOSTNAME_BYTES = 63;

// The host name as HAProxy takes it, read as the --config is (UTF-8), or null when the system gives none.
function hostName(): string | null {
  try {
    return hostNameBytes().subarray(0, HAPROXY_HOSTNAME_BYTES).toString("utf8");
  } catch {
    return null;
  }
}

// The host name's bytes as gethostname() gives them: the UTS namespace's /proc/sys/kernel/hostname, its
// newline cut. Not os.hostname() first: it decodes them, a byte that is not UTF-8 becoming U+FFFD's three,
// so a cut of its text lost two more characters a byte than HAProxy's cut of the bytes.
function hostNameBytes(): Buffer {
  try {
    const bytes = readFileSync("/proc/sys/kernel/hostname");
    return bytes.at(-1) === 0x0a ? bytes.subarray(0, -1) : bytes;
  } catch {
    return Buffer.from(hostname());
  }
}
