// A minimal user base config (`--config`): defaults and a frontend on `httpPort` routing by domain.map,
// followed by `extra` lines (the test's own sections).
export function userConfigLines(
  httpPort: number,
  frontendLines: readonly string[],
  extra: readonly string[],
): string[] {
  return [
    "global",
    "    default-path config",
    "defaults",
    "    mode http",
    "    timeout connect 5s",
    "    timeout client 30s",
    "    timeout server 30s",
    "frontend mine",
    `    bind 127.0.0.1:${httpPort}`,
    ...frontendLines,
    "    use_backend %[req.hdr(host),host_only,map_str(domain.map)] if { req.hdr(host),host_only,map_str(domain.map) -m found }",
    ...extra,
    "",
  ];
}
