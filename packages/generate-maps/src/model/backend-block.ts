// A backend's block of haproxy-backends.cfg (renderBackendBlock), rendered once per backend: the byte
// bound (backends-byte-room.ts) measures every block and renderFiles writes the same blocks; rendered
// twice, they cost a one-shot cycle at 10 000 containers ≈ 0.05 G instructions and ≈ 6 MiB of garbage
// (bench/README.md, "Measured on 2026-12-05 15:40–16:20"). Kept by backend object, which the model
// never changes once settleBackendOptions made it (each cycle makes new ones), so a kept block is the
// block it would render now; a block goes with its backend.
import { renderBackendBlock } from "@rancher-haproxy/core";
import type { Backend } from "./routing-table.js";

const blocks = new WeakMap<Backend, string>();

// The block of `backend`, with its final newline: rendered at the first call for this object, then kept.
export function backendBlock(backend: Backend): string {
  let block = blocks.get(backend);
  if (block === undefined) {
    block = renderBackendBlock(backend);
    blocks.set(backend, block);
  }
  return block;
}
