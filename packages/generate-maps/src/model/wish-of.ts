// What a container asks of its backend (options, hosts, path) as comparable text: containers of one
// backend whose texts differ are noted (settleBackendOptions). Made only where two containers' readings
// are compared or a note quotes one: a backend of one container never needs it. Made for every container
// with option labels, it was ≈ a third of reading them, and kept with the container (748 bytes each for
// model-bounds' heavy containers: 48 MB of strings for 64 000 one-container stacks).
import type { LabelSettings } from "@rancher-haproxy/core";
import type { BackendWish } from "./evaluate-container.js";

// `settings` as text; the hosts sorted: the same names in another order ask for the same routes (an
// option-disagreement note said otherwise; found by a review). Its own maxconn is per server, not in it.
export function wishOf(settings: LabelSettings): string {
  const { backend, hosts, path } = settings;
  return JSON.stringify({ ...backend, hosts: [...hosts].sort(), path });
}

// True when `a` and `b` ask the same of their backend (one reading shared by both: the containers
// without option labels, most of them, compare no text).
export function sameWish(a: BackendWish, b: BackendWish): boolean {
  return a.settings === b.settings || wishOf(a.settings) === wishOf(b.settings);
}
