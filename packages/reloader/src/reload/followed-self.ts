// What HAProxy knows of itself when a change is validated: the build read at start (haproxy -vv) and the
// host name (HAPROXY_LOCALPEER) read again at each validation, as HAProxy reads it again before each
// `haproxy -c` and each reload. Until 2026-12-05 the host name was read once at start, so after a
// `hostname` run on a live host a --config's `listen "$HAPROXY_LOCALPEER"` named another section than the
// reloader thought: a stack named like the new host name failed every haproxy -c, and the one named like
// the old one stayed left out for nothing.
import type { Logger } from "@rancher-haproxy/core";
import type { HaproxySelf } from "../model/haproxy-build.js";
import type { HostNameRead } from "../sources/read-host-name.js";

// The start's `self` with the host name `read` gives at each refresh; a failed read keeps the last name
// known (logged once, until a read succeeds again).
export class FollowedSelf {
  private current: HaproxySelf;
  private unread = false;

  constructor(
    start: HaproxySelf,
    private readonly read: () => HostNameRead,
    private readonly logger: Logger,
  ) {
    this.current = start;
  }

  // Whether the host name read now differs from `from` (by default the last refresh's; a failed read:
  // no), without taking it: the pass that finds it moved validates the inputs again, and that refresh
  // takes and logs it. A read that succeeds ends a failure said before, as a refresh's does (the next one
  // is said again).
  moved(from: string | null = this.current.hostname ?? null): boolean {
    const read = this.read();
    if (!read.ok) return false;
    this.unread = false;
    return read.name !== from;
  }

  // The host name read now; `self` with it (the same object while it does not change).
  refresh(): HaproxySelf {
    const read = this.read();
    if (!read.ok) {
      if (!this.unread)
        this.logger.warn(
          { event: "haproxy.host-name-unread", reason: read.reason, kept: this.current.hostname ?? null },
          `the host name could not be read (${read.reason}): a --config's HAPROXY_LOCALPEER is read as the last host name known until it can`,
        );
      this.unread = true;
      return this.current;
    }
    this.unread = false;
    const before = this.current.hostname ?? null;
    if (read.name === before) return this.current;
    this.current = { ...this.current, hostname: read.name };
    this.logger.info(
      { event: "haproxy.host-name-changed", from: before, to: read.name },
      "the host name changed: HAProxy sets HAPROXY_LOCALPEER to it at its next check and reload, and a --config's sections named from it are read with it from this change on",
    );
    return this.current;
  }
}
