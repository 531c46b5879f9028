// renderSlottedBackends for a reloader that renders one snapshot after another: a backend whose parsed
// block and slot list are the very objects of the last rendering (the parse and the slot assignment
// reuse them when unchanged) gets its last block text back, and the file's bytes are joined by pages
// (page-joiner.ts). The same bytes as renderSlottedBackends.
import {
  BACKENDS_HEADER,
  compareStrings,
  renderBackendBlock,
  type SharedBackend,
  type SharedTable,
} from "@rancher-haproxy/core";
import type { Slot, SlotMap } from "../model/server-slots.js";
import { PageJoiner } from "./page-joiner.js";
import { PreviousItems } from "./previous-items.js";
import { renderSlotLines, SLOTTED_HEADER } from "./render-slotted-backends.js";

// One rendered block and what it was rendered from.
interface RenderedBlock {
  backend: SharedBackend;
  slots: readonly Slot[];
  text: string;
}

// Remembers the blocks of its last rendering only.
export class SlottedBackendsRenderer {
  /** the last rendering's blocks, in file order */
  private blocks: readonly RenderedBlock[] = [];
  private readonly pages = new PageJoiner<RenderedBlock>();

  // The bytes of renderSlottedBackends(table, slots), in consecutive buffers.
  render(table: Pick<SharedTable, "backends">, slots: SlotMap): Buffer[] {
    const sorted = [...table.backends].sort((a, b) => compareStrings(a.name, b.name));
    const previous = new PreviousItems(this.blocks, (block) => block.backend.name);
    const blocks = sorted.map((backend, index) => {
      const own = slots.get(backend.name) ?? [];
      const last = previous.find(index, backend.name);
      if (last !== undefined && last.backend === backend && last.slots === own) return last;
      return { backend, slots: own, text: renderBackendBlock(backend, () => renderSlotLines(backend, own)) };
    });
    this.blocks = blocks;
    // renderBackends joins its header line and the blocks with "\n".
    const prefix = `${SLOTTED_HEADER}\n${BACKENDS_HEADER}\n${blocks.length > 0 ? "\n" : ""}`;
    return this.pages.join(prefix, blocks, "\n", "");
  }
}
