// The shared files many reloader tests change to: stack `app` at app.dev.tld and a second stack `web`
// at www.dev.tld, one server each (a new backend: a reload).
import { renderTestBackends, renderTestMap } from "../../../test-support/src/haproxy/index.ts";

// Both files, `app` served by `app` and `web` by `web` (host:port each).
export function appAndWebFiles(app: string, web: string): { backends: string; map: string } {
  return {
    backends: renderTestBackends([
      { name: "app", servers: [{ address: app }] },
      { name: "web", servers: [{ address: web }] },
    ]),
    map: renderTestMap({ "app.dev.tld": "app", "www.dev.tld": "web" }),
  };
}
