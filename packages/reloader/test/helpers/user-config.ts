import { join } from "node:path";
import { renderTestBackends, renderTestMap } from "../../../test-support/src/haproxy/index.ts";
import { startBackend, type Backend } from "../../../test-support/src/http/index.ts";
import { createFixture, type Fixture } from "./fixture.ts";

// A backend `app` on `host`, closed when the test ends, a fixture (not started) whose files route
// app.dev.tld to it, and where the test's own --config goes (`userConfig`, in the fixture's dir).
export async function userConfigFixture(
  t: { after: (fn: () => unknown) => void },
  host: string,
): Promise<{ app: Backend; fixture: Fixture; userConfig: string }> {
  const app = await startBackend({ name: "app", host });
  t.after(() => app.close());
  const fixture = await createFixture((fn) => t.after(fn), {
    backends: renderTestBackends([{ name: "app", servers: [{ address: app.address }] }]),
    map: renderTestMap({ "app.dev.tld": "app" }),
    deferStart: true,
  });
  return { app, fixture, userConfig: join(fixture.dir, "my-haproxy.cfg") };
}

// A minimal user base config (`--config`): defaults and a frontend on `httpPort` routing by domain.map
// (`routing`: its lines, after `frontendLines`), followed by `extra` lines (the test's own sections).
export function userConfigLines(
  httpPort: number,
  frontendLines: readonly string[],
  extra: readonly string[],
  routing: readonly string[] = [
    "    use_backend %[req.hdr(host),host_only,map_str(domain.map)] if { req.hdr(host),host_only,map_str(domain.map) -m found }",
  ],
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
    ...routing,
    ...extra,
    "",
  ];
}

// The lines after the frontend in the section-clash tests' --config: unknown hosts get `fallback_mine`
// (404 `mine`), then `sections`, the test's own (one named like a stack, such as LEGACY_SECTION).
export function withFallback(sections: readonly string[]): string[] {
  return [
    "    default_backend fallback_mine",
    "backend fallback_mine",
    '    http-request return status 404 content-type text/plain string "mine"',
    ...sections,
  ];
}

// A `backend legacy` answering 200 `my legacy`: the section a stack `legacy`'s backend clashes with.
export const LEGACY_SECTION: readonly string[] = [
  "backend legacy",
  '    http-request return status 200 content-type text/plain string "my legacy"',
];
