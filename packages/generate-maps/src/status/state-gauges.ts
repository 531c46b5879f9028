// generate-maps' gauges read from the status state when Prometheus scrapes: the last table's counts and
// skips, freshness, the metadata version and the hash of the rendered output.
import { Gauge, type Registry } from "prom-client";
import { NOTE_CODES, SKIP_CODES, type NoteCode } from "../model/reasons.js";
import type { RoutingTable } from "../model/routing-table.js";
import type { StatusState } from "./status-state.js";

const CONTAINER_CODES = Object.keys(SKIP_CODES).filter((code) => !code.startsWith("alias-"));
const ALIAS_CODES = Object.keys(SKIP_CODES).filter((code) => code.startsWith("alias-"));

// Registers the scrape-time gauges over `state` on `registry`; `now` is the monotonic clock (ms).
export function registerStateGauges(registry: Registry, state: StatusState, now: () => number): void {
  const table = () => state.lastSuccess?.output.table;
  const skips = skipCounter();
  gauge(registry, "generate_maps_containers_seen", "Containers in the last metadata snapshot", (g) =>
    g.set(table()?.counts.containers ?? 0),
  );
  gauge(registry, "generate_maps_containers_routed", "Containers routed (server lines)", (g) =>
    g.set(table()?.counts.routed ?? 0),
  );
  gauge(registry, "generate_maps_containers_unlabelled", "Containers without the routing label", (g) =>
    g.set(table()?.counts.unlabelled ?? 0),
  );
  gauge(
    registry,
    "generate_maps_containers_skipped",
    "Labelled containers not routed, by reason code",
    (g) => {
      const counts = skips(table());
      for (const reason of CONTAINER_CODES) g.set({ reason }, counts.get(reason) ?? 0);
    },
    ["reason"],
  );
  gauge(
    registry,
    "generate_maps_aliases_skipped",
    "Aliases without a domain.map line, by reason code",
    (g) => {
      const counts = skips(table());
      for (const reason of ALIAS_CODES) g.set({ reason }, counts.get(reason) ?? 0);
    },
    ["reason"],
  );
  gauge(
    registry,
    "generate_maps_route_notes",
    "Option fallbacks, option disagreements, refused or lost host claims and held TCP ports (routed all the same), by code, kept or not; note-limit: the notes past a code's cap, counted and not kept",
    (g) => {
      const current = table();
      for (const code of Object.keys(NOTE_CODES) as NoteCode[])
        g.set(
          { code },
          code === "note-limit" ? (current?.counts.notesDropped ?? 0) : (current?.noteTotals.get(code) ?? 0),
        );
    },
    ["code"],
  );
  gauge(registry, "generate_maps_stacks_routed", "Stacks routed (backends)", (g) =>
    g.set(table()?.counts.backends ?? 0),
  );
  gauge(registry, "generate_maps_tcp_services_routed", "TCP services routed (tcp_<port> backends)", (g) =>
    g.set(table()?.counts.tcpBackends ?? 0),
  );
  gauge(registry, "generate_maps_hosts_routed", "Host names routed (domain.map lines)", (g) =>
    g.set(table()?.counts.hosts ?? 0),
  );
  gauge(
    registry,
    "generate_maps_seconds_since_last_success",
    "Seconds since the last successful cycle (since the start while none has succeeded)",
    (g) => g.set((now() - (state.lastSuccess?.monotonicAt ?? state.startedAt)) / 1000),
  );
  gauge(
    registry,
    "generate_maps_last_success_timestamp_seconds",
    "Unix time of the last successful cycle (0: none yet)",
    (g) => g.set((state.lastSuccess?.at ?? 0) / 1000),
  );
  gauge(
    registry,
    "generate_maps_metadata_version_info",
    "The metadata version of the last successful cycle (value 1)",
    (g) => {
      g.reset();
      if (state.lastSuccess) g.set({ version: state.lastSuccess.output.version }, 1);
    },
    ["version"],
  );
  gauge(
    registry,
    "generate_maps_output_info",
    "sha256 of the files written (cat haproxy-backends.cfg domain.map | sha256sum; during a removal hold, the files kept), value 1",
    (g) => {
      g.reset();
      if (state.applied) g.set({ sha256: state.applied.outputSha256 }, 1);
    },
    ["sha256"],
  );
  gauge(
    registry,
    "generate_maps_removal_held",
    "1 while the mass-removal guard keeps the files on the previous answer",
    (g) => g.set(state.lastSuccess?.output.guard?.action === "hold" ? 1 : 0),
  );
}

// The skipped containers and aliases of a table by code, counted once per table: a scrape walking them
// once per code (24 passes) took ≈ 120 ms at 50 000 skipped, and /metrics is open to the network.
function skipCounter(): (table: RoutingTable | undefined) => ReadonlyMap<string, number> {
  let last: { table: RoutingTable; counts: Map<string, number> } | null = null;
  return (table) => {
    if (table === undefined) return new Map();
    if (last?.table === table) return last.counts;
    const counts = new Map<string, number>();
    for (const list of [table.skipped, table.skippedAliases])
      for (const { code } of list) counts.set(code, (counts.get(code) ?? 0) + 1);
    last = { table, counts };
    return counts;
  };
}

// A gauge whose value is computed when Prometheus scrapes.
function gauge(
  registry: Registry,
  name: string,
  help: string,
  update: (gauge: Gauge) => void,
  labelNames: string[] = [],
): void {
  new Gauge({
    name,
    help,
    labelNames,
    registers: [registry],
    collect() {
      update(this);
    },
  });
}
