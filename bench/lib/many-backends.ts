// Backends and map files with many stacks, in generate-maps' format, all pointing at given servers.
import { renderTestBackends, renderTestMap } from "@rancher-haproxy/test-support";

// The host of stack i; with `width`, its number zero-padded to that many digits (app-0042.dev.tld), so
// every host of a table has the same length.
export function stackHost(i: number, width = 0): string {
  return `app-${String(i).padStart(width, "0")}.dev.tld`;
}

// `count` backends app-0..app-<count-1>, each with one server (round-robin over `servers`), plus a comment.
export function manyBackends(count: number, servers: readonly string[], comment = ""): string {
  return renderTestBackends(
    Array.from({ length: count }, (_, i) => ({
      name: `app-${i}`,
      servers: [{ name: "web-1", address: servers[i % servers.length] ?? "127.0.0.1:9" }],
    })),
    comment ? [`# ${comment}`] : [],
  );
}

// The map for manyBackends(count): app-<i>.dev.tld app-<i>; with `spread`, host i goes to app-<i % spread>
// instead (a big table whose requests reach few servers, so server-side connection reuse is the same
// as with one host and only the lookup differs); `width` pads the host numbers (stackHost).
export function manyMap(count: number, spread = count, width = 0): string {
  return renderTestMap(
    Object.fromEntries(Array.from({ length: count }, (_, i) => [stackHost(i, width), `app-${i % spread}`])),
  );
}
