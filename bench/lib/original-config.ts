// Configs that stand in for the original project and for fast backends, rendered from parameters.

// The original's routing: one frontend that looks the Host up with `map_dom` (a linear scan of the
// map, first match in file order), with the original's defaults; `be_sorry` for unknown hosts. The map
// path is absolute like the original's (use_backend rules are resolved after `default-path` applies).
export function renderOriginalBaseConfig(httpPort: number, mapPath: string): string {
  if (!/^\/[\w./-]+$/.test(mapPath)) throw new TypeError(`unsafe map path ${JSON.stringify(mapPath)}`);
  return [
    "global",
    "    log 127.0.0.1:9 daemon",
    "    httpclient.ssl.verify none",
    "",
    "defaults",
    "    mode http",
    "    log global",
    "    option httplog",
    "    option dontlognull",
    "    option forwardfor header X-Real-IP",
    "    timeout connect 5s",
    "    timeout client 50s",
    "    timeout server 50s",
    "",
    "frontend http-in",
    `    bind 127.0.0.1:${httpPort}`,
    `    use_backend %[req.hdr(host),lower,map_dom(${mapPath},be_sorry)]`,
    "",
    "backend be_sorry",
    '    http-request return status 503 content-type text/plain string "no route"',
    "",
  ].join("\n");
}

// A backend that answers every request itself (HAProxy's `http-request return`), so the backends are
// never what limits a lookup-cost measurement.
export function renderResponderConfig(host: string, port: number): string {
  return [
    "global",
    "    nbthread 1",
    "",
    "defaults",
    "    mode http",
    "    timeout connect 5s",
    "    timeout client 50s",
    "    timeout server 50s",
    "",
    "frontend responder",
    `    bind ${host}:${port}`,
    '    http-request return status 200 content-type text/plain string "ok"',
    "",
  ].join("\n");
}
