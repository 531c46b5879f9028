// Service tokens: the real server blanks every service's token except the client's own (self.service).
import { isMap } from "./render-text.js";

// The key a service's token is kept under: its uuid and name (a sidekick shares its primary's uuid).
export function serviceKey(service: Record<string, unknown>): string {
  return `${String(service["uuid"])}\0${String(service["name"])}`;
}

// The tree as served, with `token` null in its services (top-level and inside stacks), and the tokens
// that were there, for /self/service to reveal. `tree` is left as it is; untouched parts are shared.
export function hideServiceTokens(tree: Record<string, unknown>): {
  served: Record<string, unknown>;
  tokens: Map<string, unknown>;
} {
  const tokens = new Map<string, unknown>();
  const copies = new Map<object, unknown>();
  const hide = (service: unknown): unknown => {
    if (!isMap(service) || service["metadata_kind"] !== "service" || service["token"] == null) return service;
    if (!tokens.has(serviceKey(service))) tokens.set(serviceKey(service), service["token"]);
    if (!copies.has(service)) copies.set(service, { ...service, token: null });
    return copies.get(service);
  };
  const hideIn = (list: unknown): unknown => (Array.isArray(list) ? list.map(hide) : list);
  const services = hideIn(tree["services"]);
  if (tokens.size === 0) return { served: tree, tokens };
  const stacks = Array.isArray(tree["stacks"])
    ? tree["stacks"].map((s: unknown) =>
        isMap(s) && Array.isArray(s["services"]) ? { ...s, services: hideIn(s["services"]) } : s,
      )
    : tree["stacks"];
  return { served: { ...tree, services, stacks }, tokens };
}
