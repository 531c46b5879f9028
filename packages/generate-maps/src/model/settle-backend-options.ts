// One backend's options from its containers' labels: the first container (in the grouping's total order)
// decides the backend-wide options and host claims, but for `https` and `hsts`, where the strictest any
// container asks for applies (they must never fail open: a sibling without them, first by a random
// uuid, served plain HTTP before); every container that asks otherwise is noted, and every fallback to
// a default is noted. Servers get `check` and a stable sticky cookie from the backend.
import { hash } from "node:crypto";
import type { BackendOptions } from "@rancher-haproxy/core";
import type { Backend, Server } from "./routing-table.js";
import type { BackendWish, Candidate } from "./evaluate-container.js";
import { describeValue } from "./describe-value.js";
import { clipForNote, type NoteBudget } from "./note-budget.js";
import { wishOf } from "./wish-of.js";

// Settles `members` (non-empty, winner first) into backend `name`; its notes go to `notes`. Members
// without a server (path holds: none of the backend's containers serves) give a backend with no server.
export function settleBackendOptions(
  name: string,
  members: readonly (Candidate | BackendWish)[],
  notes: NoteBudget,
): Backend {
  const [first] = members;
  // The first container's option set as text (wish-of.ts), made only when a member's is compared to it,
  // and as the notes quote it.
  let wish: string | undefined;
  let decided: string | undefined;
  for (const member of members) {
    if (first === undefined) break;
    // (the members without option labels share one reading: no text to compare)
    const same =
      member === first ||
      member.settings === first.settings ||
      wishOf(member.settings) === (wish ??= wishOf(first.settings));
    // Most members have no note: their `about` is made only for one.
    if (member.warnings.length === 0 && same) continue;
    for (const warning of member.warnings)
      notes.add({ backend: name, ...about(member), code: "option-fallback", reason: warning });
    if (same) continue;
    decided ??= clipForNote(wish ?? wishOf(first.settings));
    notes.add({
      backend: name,
      ...about(member),
      code: "option-disagreement",
      // The first container's name and both option sets are metadata's (any length), repeated: cut.
      reason: `its option labels ask for ${clipForNote(wishOf(member.settings))}, backend ${name} uses those of container ${describeValue(first.ref.container)}: ${decided}`,
    });
  }
  const options = strictestTransport(first?.settings.backend ?? {}, members);
  if (first !== undefined && options !== first.settings.backend)
    notes.add({
      backend: name,
      container: null,
      code: "option-disagreement",
      reason: `https and hsts take the strictest any of its containers asks for: ${describeTransport(options)}`,
    });
  const servers: Server[] = [];
  for (const member of members) if ("server" in member) servers.push(serverOf(member.server, options));
  const backend: Backend = {
    name,
    servers,
    stack: first?.stack ?? name,
    hostClaims: first?.settings.hosts ?? [],
  };
  if (first?.settings.path !== undefined) backend.path = first.settings.path;
  if (Object.keys(options).length > 0) backend.options = { ...options };
  return backend;
}

// The container a note is about: its name, and its uuid when it has one.
function about(member: BackendWish): { container: string; uuid?: string } {
  const { container, uuid } = member.ref;
  return uuid === null ? { container } : { container, uuid };
}

const HTTPS_RANK = { none: 0, redirect: 1, only: 2 } as const;

// `decided` with the strictest `https` (only, then redirect) and the longest `hsts` of `members`; the
// same object when no member asks for more.
function strictestTransport(decided: BackendOptions, members: readonly BackendWish[]): BackendOptions {
  let options = decided;
  for (const { settings } of members) {
    const { https, hsts } = settings.backend;
    if (https !== undefined && HTTPS_RANK[https] > HTTPS_RANK[options.https ?? "none"])
      options = { ...options, https };
    if (hsts !== undefined && (options.hsts === undefined || hsts > options.hsts))
      options = { ...options, hsts };
  }
  return options;
}

function describeTransport(options: BackendOptions): string {
  return [
    `https=${options.https ?? "allow"}`,
    ...(options.hsts === undefined ? [] : [`hsts=${options.hsts}`]),
  ].join(", ");
}

// The server with what the backend's options add: `check` with a check path, a cookie when sticky
// (the first 16 hex digits of the server name's SHA-256: stable per container, no uuid in the cookie).
// Without either the server is returned as it is (servers are never mutated after the model builds them).
// (crypto.hash, one call: a Hash object per sticky server, createHash's, cost ≈ 3 times as much.)
function serverOf(server: Server, options: BackendOptions): Server {
  if (options.check === undefined && !options.sticky) return server;
  const result: Server = { ...server };
  if (options.check !== undefined) result.check = true;
  if (options.sticky) result.cookie = hash("sha256", server.name, "hex").slice(0, 16);
  return result;
}
