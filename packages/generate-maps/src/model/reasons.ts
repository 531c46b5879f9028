// Stable reason codes for everything the model leaves out: logs, /routes and --explain key on them.

// Why a labelled container is not routed.
export type ContainerSkipCode =
  | "entry-invalid"
  | "other-environment"
  | "port-invalid"
  | "proxy-invalid"
  | "no-stack"
  | "stack-invalid"
  | "service-invalid"
  | "uuid-invalid"
  | "no-ip"
  | "ip-invalid"
  | "ip-special"
  | "ip-not-allowed"
  | "not-running"
  | "unhealthy"
  | "stack-case-conflict"
  | "service-case-conflict"
  | "duplicate-server"
  | "option-invalid"
  | "tcp-label-invalid"
  | "tcp-port-conflict"
  | "backend-limit";

// Why an alias gets no line in domain.map.
export type AliasSkipCode =
  | "alias-invalid"
  | "alias-stack-not-routed"
  | "alias-redundant"
  | "alias-shadowed"
  | "alias-conflict"
  | "alias-limit";

// Every skip code with what it means, for the README, help texts and explain output.
export const SKIP_CODES: Readonly<Record<ContainerSkipCode | AliasSkipCode, string>> = {
  "entry-invalid": "the /containers entry is not an object, or is over the 1 MiB a container may take",
  "other-environment":
    "the container is in another Rancher environment (a linked service's, which metadata lists too)",
  "port-invalid": "the routing label's value is not a port: digits only, 1-65535",
  "proxy-invalid":
    "the proxy label is not send-proxy, send-proxy-v2, send-proxy-v2-ssl or send-proxy-v2-ssl-cn",
  "no-stack": "the container is not in a stack (standalone)",
  "stack-invalid":
    "the stack name has a character outside ASCII, is not a DNS label once lower-cased, or <stack>.<domain> is too long",
  "service-invalid":
    "the service name is missing, has a character outside ASCII, or is not a safe server-name token once lower-cased",
  "uuid-invalid": "the container uuid is missing or not hex digits and dashes",
  "no-ip":
    "the container has no primary_ip (yet), nor a running network owner (network_from_container_uuid) with one",
  "ip-invalid": "primary_ip is not an IPv4 address",
  "ip-special": "primary_ip is a loopback, unspecified, link-local, multicast, broadcast or reserved address",
  "ip-not-allowed": "primary_ip is outside the backend networks (BACKEND_NETWORKS)",
  "not-running": "state is not one Rancher means as running (running, updating-running)",
  unhealthy: "health_state is not null, healthy or updating-healthy",
  "stack-case-conflict": "another stack has the same name in another case and won (deterministically)",
  "service-case-conflict":
    "another service of the stack has the same name in another case and a path label, and won (deterministically)",
  "duplicate-server": "another container of the backend has the same server name and won",
  "option-invalid":
    "a routing option label whose invalid value must not fail open (path, https, hsts) is invalid",
  "tcp-label-invalid":
    "the TCP label's value is not <public port>:<container port>, each 1-65535 (digits only)",
  "tcp-port-conflict":
    "another stack claims the same public TCP port and won (lowest stack name; of two spellings of one name, the lower-case one)",
  "backend-limit":
    "the backends file would pass 30 MiB (the reloader refuses one over 64 MiB): the backends past that, in name order, are left out, with every HTTP backend of their stacks",
  "alias-invalid":
    "the alias is not a DNS name (or has a character outside ASCII), or <alias>.<domain> is too long",
  "alias-stack-not-routed": "the alias's stack has no routed container",
  "alias-redundant": "the alias is its own stack's name",
  "alias-shadowed":
    "the alias is another stack's host or a name under it (that stack has an HTTP-labelled container, routed or skipped), which that stack keeps",
  "alias-conflict": "two stacks claim the alias; the first by stack name wins",
  "alias-limit":
    "the aliases answer names more than 100 000 aliases (those past that, in stack name order, are not used) or stacks (none is used)",
};

// Skips caused by the container's lifecycle (deploys go through them) rather than by bad labels or names,
// and another environment's linked containers (that environment's proxy routes them): no mistake here.
const LIFECYCLE: ReadonlySet<string> = new Set(["no-ip", "not-running", "unhealthy", "other-environment"]);

// Log level of a skip: lifecycle states are routine (info), configuration mistakes need a look (warn).
export function skipLevel(code: ContainerSkipCode | AliasSkipCode): "info" | "warn" {
  return LIFECYCLE.has(code) ? "info" : "warn";
}

// Log level of a route note: a port held while its stack redeploys is routine (info), like the lifecycle
// skips that cause it; the others are about labels and claims that need a look (warn).
export function noteLevel(code: NoteCode): "info" | "warn" {
  return code === "tcp-port-held" ? "info" : "warn";
}

// Why a routed backend is not quite what one container's labels ask for (routed all the same), or why a
// public TCP port has no backend while a stack keeps it.
export type NoteCode =
  | "option-fallback"
  | "option-disagreement"
  | "host-owned"
  | "host-conflict"
  | "host-limit"
  | "tcp-port-held"
  | "note-limit";

// Every note code with what it means, for logs, /routes and explain.
export const NOTE_CODES: Readonly<Record<NoteCode, string>> = {
  "option-fallback": "a routing option label is invalid; its default applies",
  "option-disagreement":
    "containers of one backend disagree on its options; the first container's win, but for https and hsts, where the strictest any of them asks for applies",
  "host-owned":
    "a hosts name is a stack's own host (or under it), the stack domain or a parent of it, or an alias; the claim is refused",
  "host-conflict":
    "several backends claim one host (and path); stack host, then alias, then hosts, then name order",
  "host-limit":
    "a stack's aliases times its backends (path backends included) would pass 10 000 keys, or the whole table's alias keys or hosts claims would pass 100 000, or the map's lines 48 MiB; those past that (stacks, or backends, in name order) are not mapped",
  "tcp-port-held":
    "a public TCP port is kept for a stack none of whose containers labelled for it serves (down, redeploying or skipped): its tcp_<port> backend has no server, the port closes connections, and no other stack gets it",
  "note-limit": "a table keeps the first 10 000 route notes of each code; the rest are counted in this note",
};
