// A domain map that stays empty (0 bytes) while the backends file declares a stack's backend is logged,
// counted and shown in /healthz: generate-maps writes every such backend's own host line
// (`<stack>.<domain>[<path>] <backend>`) with it, so the map the reloader reads is not the one it writes
// (HAPROXY_DOMAIN_MAP set on one service only, or a typo), or its writes of the map fail, and every
// host gets 503. An empty map alone is normal (nothing routed, or TCP backends only: no host line names
// a `tcp_<port>` backend). Until 2026-12-06 only an empty backends file was reported
// (report-empty-backends.ts, whose pace this follows); such a map looked healthy on both sides.
import { stat } from "node:fs/promises";
import {
  MAX_SHARED_FILE_BYTES,
  parseTcpBackendName,
  readRegularFile,
  type Logger,
} from "@rancher-haproxy/core";
import type { ReloaderStatus } from "../state/reloader-status.js";
import { identifyFiles } from "../status/file-identity.js";
import { startGraceReport, type GraceProbe, type GraceReport } from "./grace-report.js";

// A running report.
export type EmptyMapReport = GraceReport;

// Stats the map at `mapPath` now and every `intervalMs` (0: only when check() is called); while it is an
// empty regular file, reads the backends file (again only once it changed) for stack backends. Both at
// two checks in a row, it is logged once (`inputs.map-empty`, warn) and reported to `status`; once the
// map is not empty, or the backends file declares no stack backend, `inputs.map-empty-cleared` (info)
// clears that. A map or a backends file that cannot be read, or is not a regular file, is not reported
// here (the applier's reads report it) and ends nothing. One check at a time (grace-report.ts).
export function reportEmptyMap(
  mapPath: string,
  backendsPath: string,
  status: ReloaderStatus,
  logger: Logger,
  intervalMs: number,
  now: () => number = Date.now,
): EmptyMapReport {
  let known: { identity: string; names: string[] | null } | null = null;
  // The stack backends the backends file declares, null when it cannot be read; read once per identity
  // (absent, refused or read; not after an I/O error).
  const stackBackends = async (): Promise<string[] | null> => {
    const identity = (await identifyFiles([backendsPath])).key;
    if (known?.identity === identity) return known.names;
    const read = await readRegularFile(backendsPath, MAX_SHARED_FILE_BYTES).catch(() => undefined);
    // An I/O error (EMFILE, EIO) is not kept for this identity: the next check reads again. Kept, it
    // silenced the report until generate-maps wrote the file again, which a steady metadata never asks.
    if (read === undefined) return null;
    const names = read.kind === "file" ? declaredStackBackends(read.content) : null;
    known = { identity, names };
    return names;
  };
  const probe = async (): Promise<GraceProbe<string[]>> => {
    const found = await stat(mapPath).catch(() => null);
    if (found === null || !found.isFile()) return null;
    if (found.size > 0) return { holds: false };
    const names = await stackBackends();
    if (names === null) return null;
    return names.length === 0 ? { holds: false } : { holds: true, found: names };
  };
  return startGraceReport(
    probe,
    {
      report(names, since, ms) {
        const seconds = Math.round(ms / 1000);
        const first = names[0] ?? "";
        logger.warn(
          {
            event: "inputs.map-empty",
            path: mapPath,
            backends: backendsPath,
            backendCount: names.length,
            seconds,
          },
          `${mapPath} has been empty for ${seconds} s while ${backendsPath} declares ${names.length} stack ` +
            `backend(s) (${first} first): generate-maps writes a host line for each with them, so this map ` +
            "is not the one it writes, or its writes of it fail, and no host reaches a stack; check that " +
            "both read and write the same HAPROXY_DOMAIN_MAP, and generate-maps' write-failed lines",
        );
        status.mapEmpty({ since, path: mapPath, backendCount: names.length });
      },
      clear(wasReported) {
        if (wasReported)
          logger.info(
            { event: "inputs.map-empty-cleared", path: mapPath },
            `${mapPath} is no longer empty while the backends file declares stack backends`,
          );
        status.mapEmpty(null);
      },
    },
    intervalMs,
    now,
  );
}

// The names of the `backend` sections of `text` that are not `tcp_<port>`, in file order.
export function declaredStackBackends(text: string): string[] {
  const names: string[] = [];
  for (const match of text.matchAll(/^[ \t]*backend[ \t]+([^\s#]+)/gm))
    if (match[1] !== undefined && parseTcpBackendName(match[1]) === undefined) names.push(match[1]);
  return names;
}
