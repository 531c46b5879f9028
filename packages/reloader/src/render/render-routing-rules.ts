// The host-routing rules both frontends share: exact, hashed lookups of the normalised Host (with its
// path prefixes, its wildcards and its parent names) in domain.map, path lookups only for the hosts
// path-hosts.map marks.
import { MAX_PATH_DEPTH, SUBDOMAIN_LEVELS } from "@rancher-haproxy/core";

// How many leading labels may be stripped to find a mapped parent name: x.app.dev.tld → app.dev.tld
// works for up to this many extra labels (a.b.c.d.e.app.dev.tld); more get the 503 fallback. The
// shared-file contract's constant, which the generator's explain uses too.
export { SUBDOMAIN_LEVELS };

// The map file name, relative to the base config's directory (`default-path config`), so the running
// HAProxy and `haproxy -c` on a snapshot read the map that sits beside the config they loaded.
export const DOMAIN_MAP_NAME = "domain.map";

// The reloader's own second map beside it (never on the shared volume): the host part of every
// domain.map key with a path, value 1 (render-path-hosts-map.ts); empty when no key has a path.
export const PATH_HOSTS_MAP_NAME = "path-hosts.map";

// The backend unknown hosts land on.
export const NO_ROUTE_BACKEND = "rh_no_route";

// Lines (without indent) that answer 400 to a Host the routing must not guess at: several Host headers,
// or a character no host name has. `req.hdr` splits on commas and routes `evil.example,app.dev.tld` by
// its last element while the backend receives the whole list; `req.fhdr` sees the full value.
export function renderHostCheck(): string[] {
  return [
    "http-request deny deny_status 400 if { req.fhdr_cnt(host) gt 1 }",
    "http-request deny deny_status 400 if { req.fhdr(host) -m reg [^][A-Za-z0-9._:-] }",
  ];
}

const STRIP_LABEL = "regsub(^[^.]*\\.,)";
const WILDCARD_LABEL = "regsub(^[^.]*\\.,*.)";

// The host expressions looked up, most specific first: the Host itself, then per stripped level the
// wildcard (`*.example.com` for `www.example.com`) before the mapped parent (`example.com`): exact beats
// wildcard, the longest wildcard wins, and a stack's implicit sub-domains beat a shorter wildcard.
function hostExpressions(): string[] {
  const expressions = ["var(txn.host)"];
  for (let level = 1; level <= SUBDOMAIN_LEVELS; level++) {
    const strip = Array.from({ length: level - 1 }, () => STRIP_LABEL);
    expressions.push(["var(txn.host)", ...strip, WILDCARD_LABEL].join(","));
    expressions.push(["var(txn.host)", ...strip, STRIP_LABEL].join(","));
  }
  return expressions;
}

// Lines (without indent) routing by Host and path: lower case, port and a trailing dot stripped
// (host_only + regsub), then hashed map_str lookups only, never a suffix match of the whole string (so
// app.dev.tld.evil.com matches nothing): for each host expression, `<host>/<seg1>/<seg2>/<seg3>` down to
// `<host>/<seg1>` (txn.pathN: the path's first N segments), then `<host>` alone; the first found wins.
// The path lookups of a host expression run only when it is in path-hosts.map (some key has a path
// under it; else they would all miss), so a host without path rules costs lookups in that small map
// (one per path depth, each only while nothing matched) and one in domain.map whatever the table's size.
export function renderRoutingRules(
  mapName: string = DOMAIN_MAP_NAME,
  pathHostsName: string = PATH_HOSTS_MAP_NAME,
): string[] {
  const lines = ["http-request set-var(txn.host) req.hdr(host),host_only,regsub(\\.$,)"];
  for (let depth = 1; depth <= MAX_PATH_DEPTH; depth++)
    lines.push(`http-request set-var(txn.path${depth}) path,field(1,/,${depth + 1})`);
  for (const host of hostExpressions()) {
    const hasPaths = `{ ${host},map_str(${pathHostsName}) -m found }`;
    for (let depth = MAX_PATH_DEPTH; depth >= 1; depth--)
      lines.push(
        `http-request set-var(txn.backend) ${host},concat(,txn.path${depth}),map_str(${mapName}) if !{ var(txn.backend) -m found } ${hasPaths}`,
      );
    lines.push(
      `http-request set-var(txn.backend) ${host},map_str(${mapName}) if !{ var(txn.backend) -m found }`,
    );
  }
  lines.push("use_backend %[var(txn.backend)] if { var(txn.backend) -m found }");
  lines.push(`default_backend ${NO_ROUTE_BACKEND}`);
  return lines;
}
