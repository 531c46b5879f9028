// A backend's block of haproxy-backends.cfg (renderBackendBlock), rendered once per backend: the byte
// bound (backends-byte-room.ts) measures every block and renderFiles writes the same blocks; rendered
// twice, they cost a one-shot cycle at 10 000 containers ≈ 0.05 G instructions and ≈ 6 MiB of garbage
// (bench/README.md, "Measured on 2026-12-05 15:40–16:20"). Kept by backend object, which the model
// never changes once settleBackendOptions made it (each cycle makes new ones), so a kept block is the
// block it would render now; a block goes with its backend. That is a rule, not only a convention: the
// backend, its options and its servers are frozen once its block is kept, so a later change to any of
// them throws (ES modules are strict) instead of writing a file that differs from the table.
import { renderBackendBlock } from "@rancher-haproxy/core";
import type { Backend } from "./routing-table.js";

const blocks = new WeakMap<Backend, string>();

// The block of `backend`, with its final newline: rendered at the first call for this object, then kept
// (and the backend frozen, see above).
export function backendBlock(backend: Backend): string {
  let block = blocks.get(backend);
  if (block === undefined) {
    block = renderBackendBlock(backend);
    freezeRendered(backend);
    blocks.set(backend, block);
  }
  return block;
}

// Freezes what a block is rendered from: the backend's own fields, its options and its servers (a server
// object may be shared: the model makes a backend's servers from its candidates' without copying them).
function freezeRendered(backend: Backend): void {
  for (const server of backend.servers) Object.freeze(server);
  Object.freeze(backend.servers);
  if (backend.options !== undefined) Object.freeze(backend.options);
  Object.freeze(backend);
}
