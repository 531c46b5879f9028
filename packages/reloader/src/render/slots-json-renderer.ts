// slots.json for a reloader that renders one snapshot after another: JSON.stringify(slotsToJson(slots))
// written backend by backend, a slot list that is the very array of the last rendering getting its
// last JSON back, the members joined by pages (page-joiner.ts). The same bytes (JSON without spaces is
// the join of its members), except that a name JSON would put first (an array index, e.g. "42") sends
// the whole map to JSON.stringify.
import { slotListJson, slotsToJson, type Slot, type SlotMap } from "../model/server-slots.js";
import { PageJoiner } from "./page-joiner.js";
import { PreviousItems } from "./previous-items.js";

// One backend's member of the object and the list it was rendered from.
interface RenderedMember {
  name: string;
  slots: readonly Slot[];
  text: string;
}

// Remembers the members of its last rendering only.
export class SlotsJsonRenderer {
  /** the last rendering's members, in file order */
  private members: readonly RenderedMember[] = [];
  private readonly pages = new PageJoiner<RenderedMember>();

  // The bytes of `${JSON.stringify(slotsToJson(slots))}\n`, in consecutive buffers.
  render(slots: SlotMap): Buffer[] {
    const names = [...slots.keys()].sort();
    if (names.some(isArrayIndex)) return [Buffer.from(`${JSON.stringify(slotsToJson(slots))}\n`)];
    const previous = new PreviousItems(this.members, (member) => member.name);
    const members = names.map((name, index) => {
      const own = slots.get(name) ?? [];
      const last = previous.find(index, name);
      if (last !== undefined && last.slots === own) return last;
      return { name, slots: own, text: `${JSON.stringify(name)}:${JSON.stringify(slotListJson(own))}` };
    });
    this.members = members;
    return this.pages.join("{", members, ",", "}\n");
  }
}

// A property name JavaScript orders before the others: a canonical integer below 2^32 - 1.
function isArrayIndex(name: string): boolean {
  const first = name.charCodeAt(0);
  if (!(first >= 0x30 && first <= 0x39)) return false; // most names: no regex for each on every change
  return /^(0|[1-9][0-9]{0,9})$/.test(name) && Number(name) < 2 ** 32 - 1;
}
