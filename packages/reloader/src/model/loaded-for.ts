// The free slot a runtime newcomer takes when one is loaded with its options (assign-backend-slots.ts):
// a runtime step cannot change a slot's options, so any other slot is a reload.
import type { SharedServer } from "@rancher-haproxy/core";
import { sameOptions, serverOptions, type Slot } from "./server-slots.js";

// Where a runtime newcomer goes: the first free slot from `from` on (not cooling, and `only` when
// given) loaded with its options, else undefined (the caller takes the first free one, whose options
// differ: the plan reloads, server-options-changed). `searched`: per option set (and `only` or not),
// where its next search starts (slots only get taken while a backend is assigned, and a free slot keeps
// whether it is `only`, so none before it is free with these options; Infinity: none left), so thousands
// of newcomers do not scan the same free slots of other options again each (quadratic: 20 000 took 13 s).
export function loadedFor(
  slots: readonly Slot[],
  cooling: ReadonlySet<number>,
  from: number,
  server: SharedServer,
  searched: Map<string, number>,
  only?: (index: number) => boolean,
): number | undefined {
  const wanted = serverOptions(server);
  const first = slots[from]; // free and not cooling, and `only` (or past the end)
  if (first?.server === null && sameOptions(first.options, wanted)) return from;
  const key = `${only === undefined ? "any" : "only"}:${JSON.stringify(wanted)}`;
  for (let index = Math.max(from, searched.get(key) ?? from); index < slots.length; index++) {
    const slot = slots[index];
    if (
      slot?.server === null &&
      !cooling.has(index) &&
      (only === undefined || only(index)) &&
      sameOptions(slot.options, wanted)
    ) {
      searched.set(key, index + 1);
      return index;
    }
  }
  searched.set(key, Infinity);
  return undefined;
}
