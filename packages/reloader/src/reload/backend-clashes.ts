// The step of SnapshotStore.validate that leaves out the generated backends a section of the base config
// already names (model/without-clashing-backends.ts), and says so: one `inputs.section-clash` line (warn)
// each time the set of such backends (each with its section) changes, `inputs.section-clash-cleared` once
// none is left, and the status (/healthz warnings with each backend's map lines, reloader_backends_refused)
// for each read that passed the contract once its table is taken (staged, or held for its reload: inputs
// the slot cap refuses, in validate or at staging, never run and say nothing). The log names no count of
// map lines: a write read in two passes (the backends renamed, then the map) has none of the new stack's
// lines at the first, so a count in the log said `0` and then, a pass later, the real one; the status
// counts them at each pass. The base config's sections are read again only when its bytes change (never,
// while the reloader runs) or the host name HAProxy names `"$HAPROXY_LOCALPEER"` after does
// (reload/followed-self.ts), and not at all when they are those read at start (prepare-base-config.ts: a
// --config read once, not twice).
import type { Logger, SharedTable } from "@rancher-haproxy/core";
import type { HaproxySelf } from "../model/haproxy-build.js";
import {
  clashingSections,
  describeSection,
  type ClashingSection,
  type ReadSections,
} from "../model/clashing-sections.js";
import type { HaproxyEnvironment } from "../model/config-read-words.js";
import { withoutClashingBackends, type RefusedBackend } from "../model/without-clashing-backends.js";

// Where the backends left out are shown besides the log (ReloaderStatus.backendsRefused).
export type RefusedBackendsSink = (refused: readonly RefusedBackend[]) => void;

// Remembers the base config it last read, the last table it filtered and the last set it reported.
export class BackendClashes {
  /** the base config last read, with the host name it was read with */
  private base: (ReadSections & { hostname: string | null }) | null;
  /** the parse's host list last filtered, what was refused then (with the base config) and the result */
  private last: { hosts: SharedTable["hosts"]; key: string; result: SharedTable } | null = null;
  private reported = "";
  /** what the filter left out of each table it handed back, reported when that table is taken */
  private readonly leftOut = new WeakMap<SharedTable, readonly RefusedBackend[]>();

  // `environment`: the variables HAProxy inherits, with their values, and `self`, what HAProxy knows of
  // itself now (clashing-sections.ts; asked at each filter: its host name may change); `read`: the
  // sections of a base config already read with those as `self` gives them now (the --config's at start),
  // or null.
  constructor(
    private readonly logger: Logger,
    private readonly sink: RefusedBackendsSink = () => undefined,
    private readonly environment?: HaproxyEnvironment,
    private readonly self: () => HaproxySelf | undefined = () => undefined,
    read: ReadSections | null = null,
  ) {
    this.base = read === null ? null : { ...read, hostname: self()?.hostname ?? null };
  }

  // `table` without the backends `base` names in a section of HAProxy's backend name space; `report` says
  // which once the result is taken (inputs refused for another reason, such as the slot cap counted without
  // them, in validate or at staging, say nothing of what runs).
  filter(base: Buffer, table: SharedTable): SharedTable {
    const sections = this.sectionsOf(base);
    const { table: result, refused } = withoutClashingBackends(table, sections);
    if (refused.length === 0) {
      this.leftOut.set(result, refused);
      return result;
    }
    // The host list map-ops and MapsRenderer compare by identity (the parse reuses an unchanged map's
    // list) is handed back again while the parse's list, the base config and what is refused stay.
    const key = keyOf(refused);
    const previous = this.last;
    const same = previous !== null && previous.hosts === table.hosts && previous.key === key;
    const filtered = { hosts: same ? previous.result.hosts : result.hosts, backends: result.backends };
    this.last = { hosts: table.hosts, key, result: filtered };
    this.leftOut.set(filtered, refused);
    return filtered;
  }

  // The sections of `base` as HAProxy would name them now, read again only when its bytes or the host
  // name changed since the last read.
  private sectionsOf(base: Buffer): ClashingSection[] {
    const self = this.self();
    const hostname = self?.hostname ?? null;
    if (this.base === null || this.base.hostname !== hostname || !this.base.bytes.equals(base)) {
      this.base = {
        bytes: Buffer.from(base),
        hostname,
        sections: clashingSections(base.toString("utf8"), this.environment, self),
      };
      this.last = null;
    }
    return this.base.sections;
  }

  // Hand the backends `filter` left out of `table`, a table it handed back that is now taken, to the sink
  // and log a new set of them (or its end); nothing for any other table (the start's empty routing).
  report(table: SharedTable): void {
    const refused = this.leftOut.get(table);
    if (refused === undefined) return;
    this.sink(refused);
    const key = keyOf(refused);
    if (key === this.reported) return;
    const before = this.reported;
    this.reported = key;
    if (refused.length === 0) {
      if (before !== "")
        this.logger.info(
          { event: "inputs.section-clash-cleared" },
          "no generated backend has the name of a section of the base config any more",
        );
      return;
    }
    const named = refused.map(
      (entry) => `backend ${entry.backend} clashes with your ${describeSection(entry.section)}`,
    );
    this.logger.warn(
      {
        event: "inputs.section-clash",
        backends: refused.map((entry) => ({
          backend: entry.backend,
          section: `${entry.section.kind} ${entry.section.name}`,
          line: entry.section.line,
        })),
      },
      `${named.join("; ")}: HAProxy cannot load two proxies of one name, so the generated backend and the ` +
        "domain.map lines naming it are left out (its hosts get your config's default; /healthz counts " +
        "them) and the rest goes live; rename your section (with a `_`) and restart the reloader to route it",
    );
  }
}

// A set of refused backends' key: each backend with its section (kind and line: what the line names), not
// its map lines (the status's count, see the top).
function keyOf(refused: readonly RefusedBackend[]): string {
  return refused.map((entry) => `${entry.backend}:${entry.section.kind}:${entry.section.line}`).join(",");
}
