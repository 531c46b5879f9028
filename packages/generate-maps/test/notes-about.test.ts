// Which route notes an explanation carries: a host's go by its backend's stack; an unrouted host (no
// backend) took every note whose backend is "" as well, the table-wide `note-limit` ones, so a host
// nobody routes showed "a table keeps the first 10 000 route notes …" as if about it.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { RouteNote } from "../src/model/routing-table.js";
import type { HostExplanation } from "../src/status/explanation.js";
import { notesAbout } from "../src/status/notes-about.js";

const LIMIT: RouteNote = { backend: "", container: null, code: "note-limit", reason: "1 more not kept" };
const SHOP: RouteNote = { backend: "shop.web", container: null, code: "option-fallback", reason: "x" };

function host(name: string, backend: string | null): HostExplanation {
  return {
    kind: "host",
    host: name,
    status: backend === null ? "not-routed" : "routed",
    source: backend === null ? null : "stack",
    backend,
    via: null,
    reason: "",
    servers: [],
    notRouted: [],
    aliases: [],
    left: { servers: 0, notRouted: 0, aliases: 0 },
  };
}

test("an unrouted host's explanation carries no table-wide note; a routed one its stack's", () => {
  assert.deepEqual(notesAbout([LIMIT, SHOP], [host("nobody.dev.tld", null)]), []);
  assert.deepEqual(notesAbout([LIMIT, SHOP], [host("shop.dev.tld", "shop")]), [SHOP]);
});
