// The host name HAProxy 2.6 takes as HAPROXY_LOCALPEER at each parse (gethostname(): the reloader passes
// no -L), read as it is at that moment: HAProxy sets it before every `haproxy -c` and every reload, so a
// `hostname` run (or a UTS namespace's change) while the reloader runs changes what a --config's
// `listen "$HAPROXY_LOCALPEER"` names from the next parse on. One read of a small file; never throws.
import { closeSync, openSync, readSync } from "node:fs";
import { hostname } from "node:os";

// The host name as HAProxy takes it, or why it could not be read.
export type HostNameRead = { ok: true; name: string } | { ok: false; reason: string };

// How much of the host name HAProxy 2.6 keeps: gethostname() into its 64-byte buffer less one, so a host
// name of Linux's full 64 bytes loses its last one in HAPROXY_LOCALPEER.
const HAPROXY_HOSTNAME_BYTES = 63;

// At most this much of /proc/sys/kernel/hostname is read: Linux's 64 bytes and the newline, with room.
const READ_BYTES = 128;

// The host name's bytes cut to 63 as HAProxy cuts them, then read as UTF-8 as the --config is.
export function readHostName(): HostNameRead {
  try {
    return { ok: true, name: hostNameBytes().subarray(0, HAPROXY_HOSTNAME_BYTES).toString("utf8") };
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? error.message : String(error) };
  }
}

// The host name's bytes as gethostname() gives them: the UTS namespace's /proc/sys/kernel/hostname, its
// newline cut (at most READ_BYTES read). Not os.hostname() first: it decodes them, a byte that is not
// UTF-8 becoming U+FFFD's three, so a cut of its text lost two more characters a byte than HAProxy's cut
// of the bytes. os.hostname() only when the file cannot be read (no /proc).
function hostNameBytes(): Buffer {
  let bytes: Buffer;
  try {
    bytes = readAtMost("/proc/sys/kernel/hostname", READ_BYTES);
  } catch {
    return Buffer.from(hostname());
  }
  return bytes.at(-1) === 0x0a ? bytes.subarray(0, -1) : bytes;
}

// The first `limit` bytes of the file at `path` (fewer when it is shorter).
function readAtMost(path: string, limit: number): Buffer {
  const fd = openSync(path, "r");
  try {
    const buffer = Buffer.alloc(limit);
    let length = 0;
    while (length < limit) {
      const read = readSync(fd, buffer, length, limit - length, null);
      if (read === 0) break;
      length += read;
    }
    return buffer.subarray(0, length);
  } finally {
    closeSync(fd);
  }
}
